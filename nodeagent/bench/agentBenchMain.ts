// Runs the node agent benchmark and writes its raw samples as one JSON line on stdout
// (progress on stderr). Started by bench/agent.ts; usable alone as root.
// argv: [pods] [burst] [--exit-with-stdin] [--agent-cpu-prof DIR]
// With --exit-with-stdin the run stops and cleans up when stdin closes, so that a parent
// that dies without a word does not leave a cluster behind.

import { AgentBench } from './agentBench.js';

const argv = process.argv.slice(2);
const exitWithStdin = argv.includes('--exit-with-stdin');
const profAt = argv.indexOf('--agent-cpu-prof');
const cpuProfDir = profAt >= 0 ? argv[profAt + 1] : undefined;
const positional = argv.filter((a, i) => !a.startsWith('--') && (profAt < 0 || i !== profAt + 1));
const [pods = 30, burst = 20] = positional.map(Number);
if (!Number.isInteger(pods) || pods < 1 || !Number.isInteger(burst) || burst < 1 || (profAt >= 0 && !cpuProfDir)) {
  process.stderr.write('usage: agentBenchMain [pods >= 1] [burst >= 1] [--exit-with-stdin] [--agent-cpu-prof DIR]\n');
  process.exit(2);
}

const say = (line: string): void => void process.stderr.write(`agent bench: ${line}\n`);
const bench = new AgentBench({ pods, burst, progress: say, ...(cpuProfDir ? { cpuProfDir } : {}) });

let stopping = false;
const stop = (why: string): void => {
  if (stopping) return;
  stopping = true;
  say(`${why}; cleaning up`);
  void bench.close().then(
    (problems) => {
      for (const p of problems) say(`cleanup problem: ${p}`);
      process.exit(130);
    },
    () => process.exit(130),
  );
};
process.on('SIGINT', () => stop('interrupted'));
process.on('SIGTERM', () => stop('terminated'));
if (exitWithStdin) {
  process.stdin.on('end', () => stop('the parent went away'));
  process.stdin.on('error', () => stop('the parent went away'));
  process.stdin.resume();
}

try {
  const result = await bench.run();
  const cleanupProblems = await bench.close();
  // Interrupted at the very end: the signal handler reports and exits.
  if (stopping) await new Promise(() => undefined);
  process.stdout.write(JSON.stringify({ ...result, cleanupProblems }) + '\n');
  process.exit(0);
} catch (e) {
  if (!stopping) {
    say(`failed: ${e instanceof Error ? e.message : String(e)}`);
    const problems = await bench.close();
    for (const p of problems) say(`cleanup problem: ${p}`);
    process.exit(1);
  }
}
