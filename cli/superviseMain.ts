// `node cli/superviseMain.js --log FILE -- command args...`: the supervisor `gantry up` and
// `gantry join` run for each component (`gantry supervise` does the same). A separate entry
// point because one runs per component: without the CLI's modules it costs ~20 MiB less each.

import { supervise } from './cluster/supervise.js';

function usage(): never {
  process.stderr.write('usage: superviseMain --log FILE -- COMMAND [ARGS...]\n');
  process.exit(2);
}

const argv = process.argv.slice(2);
const dashes = argv.indexOf('--');
if (argv[0] !== '--log' || !argv[1] || dashes !== 2 || argv.length < 4) usage();
void supervise(argv[3]!, argv.slice(4), argv[1]);
