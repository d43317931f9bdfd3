#!/usr/bin/env node
// The `gantry` command.

import { Command } from 'commander';
import { down } from './cluster/down.js';
import { gantryHome } from './cluster/state.js';
import { supervise } from './cluster/supervise.js';
import { up } from './cluster/up.js';

const program = new Command();
program.name('gantry').description('Gantry: a Kubernetes-style container orchestrator').showHelpAfterError();

program
  .command('up')
  .description('start a local cluster in the background (state in $GANTRY_HOME, default ~/.gantry)')
  .option('--api-port <port>', 'port of the API server (default 6443, or a free one)', (v) => Number.parseInt(v, 10))
  .action(async (o: { apiPort?: number }) => {
    const home = gantryHome();
    const r = await up({ home, ...(o.apiPort ? { apiPort: o.apiPort } : {}), out: (l) => process.stderr.write(`${l}\n`) });
    process.stdout.write(
      `${r.alreadyRunning ? 'cluster already running' : 'cluster is up'}: ${r.server}\n` +
        `use it with:  export KUBECONFIG=${r.kubeconfig}; kubectl get namespaces\n`,
    );
  });

program
  .command('down')
  .description('stop the local cluster and remove everything `up` created')
  .action(async () => {
    await down(gantryHome(), (l) => process.stderr.write(`${l}\n`));
  });

program
  .command('supervise', { hidden: true })
  .description('run a component and restart it when it exits (used by `up`)')
  .requiredOption('--log <file>', 'append the component output here')
  .argument('<command...>', 'the command and its arguments, after --')
  .action(async (command: string[], o: { log: string }) => {
    await supervise(command[0]!, command.slice(1), o.log);
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`gantry: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
