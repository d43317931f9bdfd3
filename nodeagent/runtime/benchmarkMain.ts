// Runs the runtime benchmark and writes its raw samples as one JSON line on stdout
// (progress on stderr). Started by bench/runtime.ts; usable alone as root.
// argv: [iterations] [sandboxIterations] [burst]

import { runRuntimeBenchmark } from './benchmark.js';

const [iterations = 20, sandboxIterations = 10, burst = 20] = process.argv.slice(2).map(Number);
const result = await runRuntimeBenchmark({
  iterations,
  sandboxIterations,
  burst,
  progress: (line) => process.stderr.write(`runtime bench: ${line}\n`),
});
process.stdout.write(JSON.stringify(result) + '\n');
