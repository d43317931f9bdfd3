// Profiling the agent process without changing how it is started: a module for
// `node --import` (through NODE_OPTIONS, which refuses --cpu-prof) that runs V8's CPU
// profiler through the inspector and writes the profile when the process exits, and
// samples process.memoryUsage() once a second, so RSS can be split into V8 heap, buffers
// and the rest. Only for analysis runs (--agent-cpu-prof): profiling costs CPU and memory.

/** A module for `node --import` that profiles the process and writes CPU.agent.<pid>.0.1.cpuprofile (the name profileSummary.ts looks for) on exit. */
export function profilePreload(dir: string): string {
  return [
    "import inspector from 'node:inspector';",
    "import fs from 'node:fs';",
    'const session = new inspector.Session();',
    'session.connect();',
    "session.post('Profiler.enable');",
    "session.post('Profiler.start');",
    // Where the resident memory is (V8 heap, buffers, the rest), once a second, for the analysis.
    `const memFile = ${JSON.stringify(dir)} + '/agent-memory.jsonl';`,
    'setInterval(() => {',
    '  const m = process.memoryUsage();',
    "  fs.appendFileSync(memFile, JSON.stringify({ us: Number(process.hrtime.bigint() / 1000n), rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers }) + '\\n');",
    '}, 1000).unref();',
    // The in-process session answers synchronously, so this completes inside the exit handler.
    "process.on('exit', () => session.post('Profiler.stop', (err, r) => {",
    `  if (!err) fs.writeFileSync(${JSON.stringify(dir)} + '/CPU.agent.' + process.pid + '.0.1.cpuprofile', JSON.stringify(r.profile));`,
    '}));',
    '',
  ].join('\n');
}
