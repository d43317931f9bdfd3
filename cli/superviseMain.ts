// `node cli/superviseMain.js --log FILE [--max-backoff-ms N] -- command args...`: the
// supervisor `gantry up` and `gantry join` run for each component (`gantry supervise` does
// the same). A separate entry point because one runs per component: without the CLI's
// modules it costs ~20 MiB less each.

import { supervise, type SuperviseOptions } from './cluster/supervise.js';

function usage(): never {
  process.stderr.write('usage: superviseMain --log FILE [--max-backoff-ms N] -- COMMAND [ARGS...]\n');
  process.exit(2);
}

const argv = process.argv.slice(2);
const dashes = argv.indexOf('--');
if (dashes < 0 || dashes === argv.length - 1) usage();
let log: string | undefined;
const opts: SuperviseOptions = {};
const flags = argv.slice(0, dashes);
for (let i = 0; i < flags.length; i += 2) {
  const [name, value] = [flags[i], flags[i + 1]];
  if (value === undefined) usage();
  if (name === '--log') log = value;
  else if (name === '--max-backoff-ms' && /^\d+$/.test(value)) opts.maxBackoffMs = Number(value);
  else usage();
}
if (!log) usage();
void supervise(argv[dashes + 1]!, argv.slice(dashes + 2), log, opts);
