// The kubectl-like commands of `gantry` (version, apply, diff, get, describe, events, explain,
// completion, ...), registered on the
// program by one call from cli/main.ts. Each action runs inside `runCommand`, which opens
// the session on first use, closes it, and turns any error into its message and exit code.

import { Command, CommanderError, Option } from 'commander';
import { openSession, type AccessFlags, type Session } from './access.js';
import { errorText, exitCodeHelp, exitCodes } from './errors.js';
import { processIO, type KubeIO } from './io.js';
import { applyCommand, type ApplyFlags } from './apply.js';
import { getCommand, type GetFlags } from './get.js';
import { deleteCommand, type DeleteFlags } from './delete.js';
import { describeCommand, type DescribeFlags } from './describe.js';
import { metadataEditCommand, type MetadataEditFlags } from './metadataEdit.js';
import { patchCommand, type PatchFlags } from './patch.js';
import { scaleCommand, type ScaleFlags } from './scale.js';
import { cordonCommand } from './cordon.js';
import { drainCommand, type DrainFlags } from './drain.js';
import { setImageCommand } from './setImage.js';
import { rolloutCommand, type RolloutFlags } from './rollout.js';
import { waitCommand, type WaitFlags } from './wait.js';
import type { SelectFlags } from './targets.js';
import { logsCommand, type LogsFlags } from './logs.js';
import { execCommand, type ExecFlags } from './exec.js';
import { versionCommand, type VersionFlags } from './version.js';
import { eventsCommand, type EventsFlags } from './events.js';
import { diffCommand, type DiffFlags } from './diff.js';
import { explainCommand, type ExplainFlags } from './explain.js';
import { completeCommand, completionScript } from './completion.js';
import { whyCommand } from './why.js';
import { topCommand, type TopFlags } from './top.js';

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
  const add = (name: string, parent: Command = program): Command =>
    parent
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
    .description('create or update objects from manifests by server-side apply (field manager gantry); prints created, configured or unchanged per object and a summary (on a terminal, a status line on stderr counts the objects as they go)')
    .option('-f, --filename <path>', 'a manifest file, a directory of them, or - for standard input (repeatable)', collect, [])
    .option('-R, --recursive', 'descend into subdirectories of -f directories')
    .option('--dry-run <mode>', 'server: the server checks and answers but stores nothing')
    .option('--force-conflicts', 'take over fields that other field managers own')
    .option('--field-manager <name>', 'the field manager of the applied fields', 'gantry')
    .option('--prune', 'delete the objects of the applied kinds that match -l and left the manifests (only those this field manager applied)')
    .option('-l, --selector <selector>', 'with --prune: the label selector of the set the manifests describe')
    .option('--wait', 'then wait until deployments have rolled out, jobs completed and pods are ready (progress on a terminal)')
    .option('--timeout <duration>', 'with --wait: give up after this long (default 5m; 0: no limit)')
    .addHelpText(
      'after',
      examples([
        'gantry apply -f web.yaml',
        'gantry apply -f manifests/ --prune -l app=shop   # also delete what left manifests/',
        'gantry apply -f web.yaml --wait --timeout=3m',
        'gantry apply -f manifests/ -R',
        'cat web.yaml | gantry apply -f -',
        'gantry apply -f web.yaml --dry-run=server',
        'gantry apply -f web.yaml --force-conflicts   # take over fields kubectl set',
      ]),
    )
    .action(async (o: AccessFlags & ApplyFlags) => runCommand(io, o, (ctx) => applyCommand(ctx, o)));

  withAccessFlags(add('diff'))
    .description('show what apply would change: each object applied as a server dry run, its YAML against the live object\'s as a unified diff (coloured on a terminal), without managedFields, resourceVersion, generation, uid and timestamps')
    .option('-f, --filename <path>', 'a manifest file, a directory of them, or - for standard input (repeatable)', collect, [])
    .option('-R, --recursive', 'descend into subdirectories of -f directories')
    .option('--force-conflicts', 'show the result of taking over fields that other field managers own')
    .option('--field-manager <name>', 'the field manager apply would use', 'gantry')
    .addHelpText('after', examples(['gantry diff -f web.yaml', 'gantry diff -f manifests/ -R', 'gantry diff -f web.yaml && echo "nothing to apply"']).replace(exitCodeHelp, 'Exit codes:\n  0  no differences\n  1  differences\n  2  an error: a manifest could not be read, an object was refused, the server was unreachable, or wrong usage'))
    .action(async (o: AccessFlags & DiffFlags) => runCommand(io, o, (ctx) => diffCommand(ctx, o)));

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

  withAccessFlags(add('describe'))
    .description('show objects in detail with their related objects and events (pods: containers, state, probes, volumes; deployments: ReplicaSets and rollout conditions; nodes: conditions, capacity, pods and allocated resources)')
    .argument('<type[/name]...>', 'a resource type and names (a name that matches nothing matches by prefix), or TYPE/NAME pairs; no names: every object of the type')
    .option('-A, --all-namespaces', 'every namespace')
    .option('-l, --selector <selector>', 'describe the objects that match this label selector')
    .option('--show-events [bool]', 'show the events (--show-events=false leaves them out)', true)
    .addHelpText('after', examples(['gantry describe pod web-7d4b9c-x2x9k', 'gantry describe deploy/web', 'gantry describe nodes', 'gantry describe pods -l app=web', 'gantry describe svc web -n shop']))
    .action(async (args: string[], o: AccessFlags & DescribeFlags) => runCommand(io, o, (ctx) => describeCommand(ctx, args, o)));

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

  for (const field of ['label', 'annotate'] as const) {
    const noun = field === 'label' ? 'labels' : 'annotations';
    withAccessFlags(add(field))
      .description(`set (key=value) or remove (key-) ${noun} of objects, by a merge patch`)
      .argument('<args...>', `TYPE NAME... or TYPE/NAME..., then key=value and key- changes`)
      .option('--overwrite', `replace ${noun} that already have another value`)
      .option('-l, --selector <selector>', 'the objects of the type that match this label selector')
      .option('--all', 'every object of the type in the namespace')
      .option('--resource-version <rv>', 'only if the object is still at this resourceVersion (else a conflict)')
      .option('--dry-run <mode>', 'server: the server checks and answers but stores nothing')
      .addHelpText('after', examples(field === 'label' ? ['gantry label pod web-1 tier=front', 'gantry label deploy/web app=shop --overwrite', 'gantry label pods -l app=web canary-', 'gantry label nodes --all zone=a'] : ['gantry annotate deploy web kubernetes.io/change-cause="image 1.27"', 'gantry annotate pod web-1 note-', 'gantry annotate svc web owner=team-a --overwrite']))
      .action(async (args: string[], o: AccessFlags & MetadataEditFlags) => runCommand(io, o, (ctx) => metadataEditCommand(ctx, field === 'label' ? 'labels' : 'annotations', args, o)));
  }

  withAccessFlags(add('patch'))
    .description('change fields of objects by a strategic merge (default), merge or JSON (RFC 6902) patch')
    .argument('<type[/name]...>', 'TYPE NAME... or TYPE/NAME...')
    .option('-p, --patch <patch>', 'the patch, JSON or YAML')
    .option('--patch-file <file>', 'read the patch from this file')
    .option('--type <type>', 'strategic, merge or json', 'strategic')
    .option('--subresource <name>', 'patch the status or scale subresource')
    .option('-l, --selector <selector>', 'the objects of the type that match this label selector')
    .option('--all', 'every object of the type in the namespace')
    .option('--dry-run <mode>', 'server: the server checks and answers but stores nothing')
    .addHelpText(
      'after',
      examples([
        'gantry patch deploy web -p \'{"spec":{"replicas":3}}\'',
        'gantry patch deploy web --type merge -p \'{"metadata":{"labels":{"tier":null}}}\'',
        'gantry patch deploy web --type json -p \'[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1.27"}]\'',
        'gantry patch node n1 --subresource status --type merge -p \'{"status":{"capacity":{"example.com/gpu":"2"}}}\'',
      ]),
    )
    .action(async (args: string[], o: AccessFlags & PatchFlags) => runCommand(io, o, (ctx) => patchCommand(ctx, args, o)));

  withAccessFlags(add('scale'))
    .description('set the number of replicas of deployments and replica sets (their scale subresource)')
    .argument('<type[/name]...>', 'TYPE NAME... or TYPE/NAME...')
    .option('--replicas <n>', 'the new number of replicas')
    .option('--current-replicas <n>', 'only if the current number is this (else nothing changes)')
    .option('-l, --selector <selector>', 'the objects of the type that match this label selector')
    .option('--all', 'every object of the type in the namespace')
    .addHelpText('after', examples(['gantry scale deploy web --replicas=5', 'gantry scale deploy/web rs/legacy --replicas=0', 'gantry scale deploy web --current-replicas=2 --replicas=3']))
    .action(async (args: string[], o: AccessFlags & ScaleFlags) => runCommand(io, o, (ctx) => scaleCommand(ctx, args, o)));

  for (const verb of ['cordon', 'uncordon'] as const) {
    // -n is accepted (and means nothing for nodes), as kubectl accepts it.
    withAccessFlags(add(verb))
      .description(verb === 'cordon' ? 'mark nodes unschedulable: new pods go elsewhere, running ones stay' : 'mark nodes schedulable again')
      .argument('[node...]', 'node names')
      .option('-l, --selector <selector>', 'the nodes that match this label selector')
      .option('--dry-run <mode>', 'server: the server checks and answers but stores nothing')
      .addHelpText('after', examples([`gantry ${verb} n1`, `gantry ${verb} -l zone=a`]))
      .action(async (names: string[], o: AccessFlags & SelectFlags & { dryRun?: string }) => runCommand(io, o, (ctx) => cordonCommand(ctx, verb === 'cordon', names, o)));
  }

  withAccessFlags(add('drain')).description('cordon a node, then evict its pods (honouring PodDisruptionBudgets) and wait for them to go').argument('<node...>', 'node names').option('--ignore-daemonsets', 'skip DaemonSet pods (drain refuses without it when there are some)').option('--delete-emptydir-data', 'also evict pods with emptyDir volumes (their data is lost)').option('--force', 'also evict pods without a controller (nothing recreates them)').option('--grace-period <seconds>', "seconds each pod gets to stop; -1: the pod's own").option('--timeout <duration>', 'give up after this long (e.g. 2m); 0: never').option('--disable-eviction', 'delete the pods instead of evicting them: PodDisruptionBudgets are bypassed').addHelpText('after', examples(['gantry drain n1 --ignore-daemonsets', 'gantry drain n1 --ignore-daemonsets --delete-emptydir-data --timeout 5m'])).action(async (names: string[], o: AccessFlags & DrainFlags) => runCommand(io, o, (ctx) => drainCommand(ctx, names, o)));

  const set = add('set').description('change one aspect of objects (set image)');
  withAccessFlags(add('image', set))
    .description("change containers' images in pods or workloads' pod templates (a new rollout for deployments)")
    .argument('<args...>', 'TYPE NAME... or TYPE/NAME..., then CONTAINER=IMAGE pairs (* for every container)')
    .option('-l, --selector <selector>', 'the objects of the type that match this label selector')
    .option('--all', 'every object of the type in the namespace')
    .addHelpText('after', examples(['gantry set image deploy/web web=nginx:1.27', 'gantry set image deploy web *=busybox:1.36', 'gantry set image pod/p c=busybox:1.36 init=busybox:1.36']))
    .action(async (args: string[], o: AccessFlags & SelectFlags) => runCommand(io, o, (ctx) => setImageCommand(ctx, args, o)));

  const rollout = add('rollout').description('manage the rollout of deployments: status, history, undo, restart, pause, resume');
  const rolloutSub = (name: string, description: string, ex: string[]): Command =>
    withAccessFlags(add(name, rollout))
      .description(description)
      .argument('<type[/name]...>', 'deployment NAME or deployment/NAME')
      .addHelpText('after', examples(ex));
  rolloutSub('status', 'follow a rollout until it is done, printing its progress; exits 1 when it exceeds its progress deadline', ['gantry rollout status deploy/web', 'gantry rollout status deploy web --timeout=2m'])
    .option('--timeout <duration>', 'give up after this long (e.g. 2m; default: no limit)')
    .option('-w, --watch [bool]', 'follow until done (--watch=false: print the status once)', true)
    .action(async (args: string[], o: AccessFlags & Omit<RolloutFlags, 'watch'> & { watch?: boolean | string }) => runCommand(io, o, (ctx) => rolloutCommand(ctx, 'status', args, { ...o, watch: o.watch !== false && o.watch !== 'false' })));
  rolloutSub('history', "list a deployment's revisions (from its ReplicaSets) with their change causes, or show one revision's pod template", ['gantry rollout history deploy/web', 'gantry rollout history deploy/web --revision=2'])
    .option('--revision <n>', "show this revision's pod template")
    .action(async (args: string[], o: AccessFlags & RolloutFlags) => runCommand(io, o, (ctx) => rolloutCommand(ctx, 'history', args, o)));
  rolloutSub('undo', 'go back to the previous revision (or --to-revision)', ['gantry rollout undo deploy/web', 'gantry rollout undo deploy/web --to-revision=1'])
    .option('--to-revision <n>', 'the revision to go back to (default: the previous one)')
    .option('--dry-run <mode>', 'server: the server checks and answers but stores nothing')
    .action(async (args: string[], o: AccessFlags & RolloutFlags) => runCommand(io, o, (ctx) => rolloutCommand(ctx, 'undo', args, o)));
  for (const [verb, description] of [
    ['restart', 'replace every pod with a new rollout of the same template'],
    ['pause', 'stop rolling out changes to the pod template until resumed'],
    ['resume', 'resume a paused rollout'],
  ] as const) {
    rolloutSub(verb, description, [`gantry rollout ${verb} deploy/web`]).action(async (args: string[], o: AccessFlags) => runCommand(io, o, (ctx) => rolloutCommand(ctx, verb, args, {})));
  }

  withAccessFlags(add('wait'))
    .description('wait (watching, not polling) until objects meet a condition, are deleted, or a field has a value')
    .argument('<type[/name]...>', 'TYPE NAME... or TYPE/NAME...')
    .option('--for <condition>', 'delete, condition=NAME[=value] (value default true) or jsonpath={.path}[=value]')
    .option('--timeout <duration>', 'give up after this long (default 30s; 0: check once; negative: no limit)')
    .option('-l, --selector <selector>', 'the objects of the type that match this label selector')
    .option('--all', 'every object of the type in the namespace')
    .addHelpText(
      'after',
      examples(['gantry wait --for=condition=Available deploy/web --timeout=2m', 'gantry wait --for=condition=Ready pods -l app=web', 'gantry wait --for=delete pod/web-1', "gantry wait --for=jsonpath='{.status.phase}'=Running pod/web-1"]),
    )
    .action(async (args: string[], o: AccessFlags & WaitFlags) => runCommand(io, o, (ctx) => waitCommand(ctx, args, o)));

  withAccessFlags(add('events'))
    .description('list events (oldest first) in the LAST SEEN, TYPE, REASON, OBJECT, MESSAGE columns, of a namespace, every namespace or one object; -w follows new ones')
    .option('-A, --all-namespaces', 'every namespace (adds a NAMESPACE column)')
    .option('--for <type/name>', 'only the events of this object, e.g. pod/web-1 or deploy/web')
    .option('--types <types>', 'only events of these types, comma-separated: Normal, Warning')
    .option('-w, --watch', 'after the list, print each new or changed event as it happens')
    .option('--no-headers', 'no header line')
    .option('--request-timeout <duration>', 'with -w: stop watching after this long (e.g. 30s, 5m; default: until the server ends the watch)')
    .addHelpText('after', examples(['gantry events', 'gantry events -A --types=Warning', 'gantry events --for pod/web-7d4b9c-x2x9k', 'gantry events --for deploy/web -w']))
    .action(async (o: AccessFlags & EventsFlags) => runCommand(io, o, (ctx) => eventsCommand(ctx, o)));

  withAccessFlags(add('why'))
    .description("why a pod is not running and Ready: for a pending pod each node's reasons from the scheduler (with by how much a resource is short); otherwise image pulls, crash loops (last exit code and log lines), OOM kills and failing probes")
    .argument('<pod>', 'the pod (NAME or pod/NAME)')
    .addHelpText('after', examples(['gantry why web-7d4b9c-x2x9k', 'gantry why pod/batch-1 -n jobs']))
    .action(async (name: string, o: AccessFlags) => runCommand(io, o, (ctx) => whyCommand(ctx, name)));

  withAccessFlags(add('top'))
    .description("per node and resource (cpu, memory, pods): actual use from the metrics API (the node agents sample their cgroups every 10 s), what the pods request and their limits, each against allocatable as the scheduler sums them, with a bar per resource on a terminal; per pod (or container with --containers): use beside its request and limit. Usage shows as <unknown> (with the reason on stderr) where there is none yet or no metrics API; requests and limits always show")
    .argument('<nodes|pods>', 'what to show')
    .argument('[name]', 'one node or pod')
    .option('-A, --all-namespaces', 'with pods: every namespace (adds a NAMESPACE column)')
    .option('-l, --selector <selector>', 'label selector of the nodes or pods')
    .option('--field-selector <selector>', 'field selector of the nodes or pods (e.g. spec.nodeName=n1 for pods)')
    .option('--containers', 'with pods: one row per container')
    .option('--sort-by <cpu|memory>', 'largest first by cpu or memory')
    .option('--requests', "only requests and limits (what the scheduler counts): no usage column, the metrics API not asked")
    .option('--no-headers', 'no header lines')
    .addHelpText('after', examples(['gantry top nodes', 'gantry top nodes n1', 'gantry top pods -A --sort-by=cpu', 'gantry top pods web-1 --containers', 'gantry top pods -l app=web --field-selector spec.nodeName=n1', 'gantry top nodes --requests   # without usage']))
    .action(async (what: string, name: string | undefined, o: AccessFlags & TopFlags) => runCommand(io, o, (ctx) => topCommand(ctx, what, name, o)));

  withAccessFlags(add('explain'), { namespaced: false })
    .description("document a resource or one of its fields from the server's OpenAPI v3: kind, version, the field's type and description, and its fields")
    .argument('<type[.field.path]>', 'a resource type (deployment, po, ...), optionally followed by a dotted field path (deployment.spec.template)')
    .option('--recursive', "every nested field's name and type, without descriptions")
    .option('--api-version <group/version>', "the resource's group version (default: the server's preferred one)")
    .addHelpText('after', examples(['gantry explain pods', 'gantry explain deployment.spec.strategy', 'gantry explain deploy.spec.template.spec.containers.resources', 'gantry explain job.spec --recursive', 'gantry explain cronjob --api-version=batch/v1']))
    .action(async (arg: string, o: AccessFlags & ExplainFlags) => runCommand(io, o, (ctx) => explainCommand(ctx, arg, o)));

  withAccessFlags(add('logs'))
    .description("print a container's log: of a pod, of a workload's pod (deploy/NAME), or of every pod matching -l, interleaved by line with a [pod/NAME/CONTAINER] prefix")
    .argument('[pod-or-type/name]', 'a pod, or TYPE/NAME of a workload (deploy/web, rs/web-x, job/j, svc/web)')
    .argument('[container]', 'the container (same as -c)')
    .option('-c, --container <name>', "the container (default: the pod's kubectl.kubernetes.io/default-container, else its first)")
    .option('--all-containers', "every container's log, each prefixed")
    .option('-f, --follow', 'keep printing as the log grows, until the container ends or Ctrl-C')
    .option('--tail <lines>', 'only the last lines (default: all; 10 with -l)')
    .option('--since <duration>', 'only lines newer than this, e.g. 5m, 1h')
    .option('--since-time <time>', 'only lines since this RFC 3339 time')
    .option('--timestamps', 'begin each line with its RFC 3339 timestamp')
    .option('-p, --previous', "the previous (crashed) instance's log")
    .option('-l, --selector <selector>', 'every pod matching this label selector')
    .option('--prefix', 'prefix each line with [pod/NAME/CONTAINER] (default with several streams)')
    .option('--limit-bytes <n>', 'at most this many bytes')
    .option('--max-log-requests <n>', 'at most this many streams followed at once (default 5)')
    .addHelpText('after', examples(['gantry logs web-7d4b9c-x2x9k', 'gantry logs deploy/web -f', 'gantry logs -l app=web -f --since=10m', 'gantry logs web-1 -c sidecar --previous', 'gantry logs web-1 --tail=20 --timestamps']))
    .action(async (pod: string | undefined, container: string | undefined, o: AccessFlags & LogsFlags) => runCommand(io, o, (ctx) => logsCommand(ctx, [pod, container].filter((x): x is string => Boolean(x)), o)));

  withAccessFlags(add('exec'))
    .description('run a command in a container (-i passes standard input, -t gives it a terminal)')
    .argument('<pod-or-type/name>', 'a pod, or TYPE/NAME of a workload (deploy/web)')
    .argument('[command...]', 'the command and its arguments, after --')
    .option('-c, --container <name>', "the container (default: the pod's kubectl.kubernetes.io/default-container, else its first)")
    .option('-i, --stdin', 'pass standard input to the command')
    .option('-t, --tty', 'give the command a terminal (with -i, on a terminal: raw mode, and its size follows yours)')
    .option('-q, --quiet', 'only what the command prints')
    .addHelpText('after', examples(['gantry exec web-1 -- ls /', 'gantry exec -it web-1 -- sh', 'gantry exec deploy/web -c app -- env', 'echo hi | gantry exec -i web-1 -- cat']) + 'The exit code is the command\'s own.\n')
    .action(async (pod: string, command: string[], o: AccessFlags & ExecFlags) => runCommand(io, o, (ctx) => execCommand(ctx, pod, command, o)));

  add('completion')
    .description('print a shell completion script: commands, flags, resource types and object names (from the server) complete with Tab')
    .argument('<shell>', 'bash or zsh')
    .addHelpText('after', examples(['source <(gantry completion bash)           # in ~/.bashrc', 'source <(gantry completion zsh)            # in ~/.zshrc, after compinit', 'gantry completion bash > /etc/bash_completion.d/gantry']))
    .action(async (shell: string) => runCommand(io, {}, async () => io.out(completionScript(shell))));

  // What the completion scripts call: the words after `gantry` (after --), the last one being completed.
  program
    .command('__complete', { hidden: true })
    .argument('[words...]')
    .helpOption(false)
    .exitOverride(exitHandler(io))
    .action(async (words: string[]) => completeCommand(program, io, words));
}
