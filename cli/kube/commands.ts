// The kubectl-like commands of `gantry` (version, apply, get, delete), registered on the
// program by one call from cli/main.ts. Each action runs inside `runCommand`, which opens
// the session on first use, closes it, and turns any error into its message and exit code.

import { Command, CommanderError, Option } from 'commander';
import { openSession, type AccessFlags, type Session } from './access.js';
import { errorText, exitCodeHelp, exitCodes } from './errors.js';
import { processIO, type KubeIO } from './io.js';
import { applyCommand, type ApplyFlags } from './apply.js';
import { getCommand, type GetFlags } from './get.js';
import { deleteCommand, type DeleteFlags } from './delete.js';
import { versionCommand, type VersionFlags } from './version.js';

/** What an action gets: its IO and the session (opened when first asked for). */
export interface CommandContext {
  io: KubeIO;
  session(): Session;
}

export async function runCommand(io: KubeIO, flags: AccessFlags, fn: (ctx: CommandContext) => Promise<void>): Promise<void> {
  let session: Session | undefined;
  const ctx: CommandContext = {
    io,
    session: () => (session ??= openSession(flags, io.env)),
  };
  try {
    await fn(ctx);
  } catch (e) {
    const { text, code } = errorText(e, session?.target);
    io.err(text.endsWith('\n') ? text : `${text}\n`);
    io.exitCode = code;
  } finally {
    session?.close();
  }
}

function withAccessFlags(cmd: Command, opts: { namespaced?: boolean } = {}): Command {
  cmd
    .option('--kubeconfig <file>', 'the kubeconfig file (default: the KUBECONFIG list, else ~/.kube/config, else $GANTRY_HOME/kubeconfig)')
    .option('--context <name>', "the kubeconfig context (default: the file's current-context)");
  if (opts.namespaced !== false) cmd.option('-n, --namespace <ns>', "the namespace (default: the context's, else default)");
  return cmd;
}

/** Usage errors exit 2 and --help exits 0; in tests `exit` throws instead of ending the process. */
function exitHandler(io: KubeIO & { exit?: (code: number) => never }): (e: CommanderError) => never {
  return (e) => {
    const code = e.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    if (io.exit) return io.exit(code);
    process.exit(code);
  };
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n\n${exitCodeHelp}\n`;
}

export function registerKubeCommands(program: Command, io: KubeIO & { exit?: (code: number) => never } = processIO()): void {
  const add = (name: string): Command =>
    program
      .command(name)
      .exitOverride(exitHandler(io))
      .configureOutput({ writeOut: (t) => io.out(t), writeErr: (t) => io.err(t) });

  withAccessFlags(add('version'), { namespaced: false })
    .description("print this client's version and the API server's")
    .option('--client', "only the client's version (no server needed)")
    .addOption(new Option('-o, --output <format>', 'json or yaml').choices(['json', 'yaml']))
    .addHelpText('after', examples(['gantry version', 'gantry version --client', 'gantry version -o json']))
    .action(async (o: AccessFlags & VersionFlags) => runCommand(io, o, (ctx) => versionCommand(io, o, ctx.session)));

  withAccessFlags(add('apply'))
    .description('create or update objects from manifests by server-side apply (field manager gantry); prints created, configured or unchanged per object and a summary')
    .option('-f, --filename <path>', 'a manifest file, a directory of them, or - for standard input (repeatable)', collect, [])
    .option('-R, --recursive', 'descend into subdirectories of -f directories')
    .option('--dry-run <mode>', 'server: the server checks and answers but stores nothing')
    .option('--force-conflicts', 'take over fields that other field managers own')
    .option('--field-manager <name>', 'the field manager of the applied fields', 'gantry')
    .addHelpText(
      'after',
      examples([
        'gantry apply -f web.yaml',
        'gantry apply -f manifests/ -R',
        'cat web.yaml | gantry apply -f -',
        'gantry apply -f web.yaml --dry-run=server',
        'gantry apply -f web.yaml --force-conflicts   # take over fields kubectl set',
      ]),
    )
    .action(async (o: AccessFlags & ApplyFlags) => runCommand(io, o, (ctx) => applyCommand(ctx, o)));

  withAccessFlags(add('get'))
    .description("list objects with the server's columns, or print them as YAML, JSON, names, a JSONPath template or custom columns")
    .argument('<type[/name]...>', 'a resource type (pods, po, deployments.apps, ...; several comma-separated) and names, or TYPE/NAME pairs')
    .option('-A, --all-namespaces', 'every namespace (adds a NAMESPACE column)')
    .option('-o, --output <format>', 'wide, yaml, json, name, jsonpath=TEMPLATE or custom-columns=HEADER:PATH,...')
    .option('-l, --selector <selector>', 'label selector, e.g. app=web,tier!=db or env in (a,b)')
    .option('--field-selector <selector>', 'field selector, e.g. metadata.name=web or spec.nodeName=n1')
    .option('--sort-by <jsonpath>', 'sort by a field, e.g. .metadata.creationTimestamp')
    .option('--no-headers', 'no header line (tables and custom columns)')
    .option('--show-managed-fields', 'keep metadata.managedFields in -o json and -o yaml')
    .option('-w, --watch', 'after the list, print each change as it happens')
    .option('--watch-only', 'print only the changes, not the list first')
    .option('--request-timeout <duration>', 'with -w: stop watching after this long (e.g. 30s, 5m; default: until the server ends the watch)')
    .addHelpText(
      'after',
      examples([
        'gantry get pods',
        'gantry get deploy web -o yaml',
        'gantry get pods -A -o wide',
        'gantry get pods -l app=web --sort-by=.metadata.creationTimestamp',
        "gantry get pods -o jsonpath='{range .items[*]}{.metadata.name}{\"\\t\"}{.status.phase}{\"\\n\"}{end}'",
        'gantry get deploy -o custom-columns=NAME:.metadata.name,IMAGE:.spec.template.spec.containers[*].image',
        'gantry get cm,secrets -n kube-system',
        'gantry get all -A',
        'gantry get pods -w',
      ]),
    )
    .action(async (args: string[], o: AccessFlags & GetFlags) => runCommand(io, o, (ctx) => getCommand(ctx, args, o)));

  withAccessFlags(add('delete'))
    .description('delete objects by name, by label selector or from manifests, and wait until they are gone')
    .argument('[type[/name]...]', 'a resource type and names, or TYPE/NAME pairs (not with -f)')
    .option('-f, --filename <path>', 'delete the objects of these manifests (file, directory or -; repeatable)', collect, [])
    .option('-R, --recursive', 'descend into subdirectories of -f directories')
    .option('-l, --selector <selector>', 'delete the objects of the type that match this label selector')
    .option('--all', 'delete every object of the type in the namespace')
    .option('--cascade <policy>', 'what happens to dependents: background (default), foreground (wait for them) or orphan (keep them)', 'background')
    .option('--grace-period <seconds>', "seconds the object gets to stop (-1: the object's own default)")
    .option('--no-wait', 'return once the server accepted the deletion, without waiting for the objects to be gone')
    .option('--timeout <duration>', 'give up waiting after this long (e.g. 60s, 2m; default 0: no limit)')
    .option('--ignore-not-found', 'an object that does not exist is not an error')
    .addHelpText(
      'after',
      examples([
        'gantry delete deploy web',
        'gantry delete pod/a pod/b --grace-period=0',
        'gantry delete -f web.yaml',
        'gantry delete pods -l app=web --cascade=foreground --timeout=2m',
        'gantry delete deploy web --cascade=orphan   # keep its ReplicaSets and pods',
      ]),
    )
    .action(async (args: string[], o: AccessFlags & DeleteFlags) => runCommand(io, o, (ctx) => deleteCommand(ctx, args, o)));
}
