// Shell completion: `gantry completion bash|zsh` prints a small script whose completion
// function asks the hidden `gantry __complete WORD...` (the words typed after `gantry`, the
// one being completed last) for candidates, one per line. Commands and flags come from the
// commander program itself; resource types, object names, namespaces and nodes come from
// the server (discovery and lists, with the --kubeconfig, --context and -n already typed);
// contexts from the kubeconfig files. A lone `__files__` line asks the shell for file names
// (-f, --kubeconfig). Completion never prints errors: an unreachable server just completes
// nothing.

import fs from 'node:fs';
import type { Command, Option } from 'commander';
import { parseYaml } from '../../common/yaml.js';
import { kubeconfigFiles, openSession, type AccessFlags, type Session } from './access.js';
import { UsageError } from './errors.js';
import type { KubeIO } from './io.js';

export const filesDirective = '__files__';

/** Commands whose arguments are TYPE NAME... or TYPE/NAME... */
const resourceCommands = new Set(['get', 'describe', 'delete', 'label', 'annotate', 'patch', 'scale', 'wait', 'status', 'history', 'undo', 'restart', 'pause', 'resume', 'image']);
/** Commands whose first argument is a pod (or TYPE/NAME). */
const podCommands = new Set(['logs', 'exec']);
const nodeCommands = new Set(['cordon', 'uncordon']);
const outputFormats = ['json', 'yaml', 'name', 'wide', 'jsonpath=', 'custom-columns='];

function optionFor(cmd: Command, word: string): Option | undefined {
  const flag = word.split('=', 1)[0]!;
  return cmd.options.find((o) => o.long === flag || o.short === flag);
}

/** The command the words lead to (`rollout status` → status) and the words after it. */
function walk(program: Command, words: string[]): { cmd: Command; rest: string[] } {
  let cmd = program;
  let i = 0;
  for (; i < words.length; i++) {
    const sub = cmd.commands.find((c) => c.name() === words[i] || c.aliases().includes(words[i]!));
    if (!sub) break;
    cmd = sub;
  }
  return { cmd, rest: words.slice(i) };
}

/** --kubeconfig, --context and -n as typed so far, so candidates come from that cluster and namespace. */
function accessFlags(words: string[]): AccessFlags {
  const flags: AccessFlags = {};
  const names: Record<string, keyof AccessFlags> = { '--kubeconfig': 'kubeconfig', '--context': 'context', '-n': 'namespace', '--namespace': 'namespace' };
  words.forEach((w, i) => {
    const [flag, inline] = w.includes('=') ? (w.split(/=(.*)/s, 2) as [string, string]) : [w, undefined];
    const key = names[flag];
    const v = inline ?? words[i + 1];
    if (key && key !== 'allNamespaces' && v !== undefined) flags[key] = v;
  });
  return flags;
}

function contexts(flags: AccessFlags, env: NodeJS.ProcessEnv): string[] {
  const out = new Set<string>();
  for (const f of kubeconfigFiles(flags.kubeconfig, env)) {
    try {
      const doc = parseYaml(fs.readFileSync(f, 'utf8')) as { contexts?: { name?: string }[] };
      for (const c of doc?.contexts ?? []) if (c?.name) out.add(c.name);
    } catch {
      // An unreadable kubeconfig offers no contexts.
    }
  }
  return [...out];
}

async function names(s: Session, type: string): Promise<string[]> {
  const r = await s.discovery.resolve(type);
  const list = await s.api.list(r, r.namespaced ? s.namespace : undefined, { limit: 500 });
  return list.items.map((o) => o.metadata?.name ?? '').filter(Boolean);
}

async function resourceTypes(s: Session): Promise<string[]> {
  const all = await s.discovery.resources();
  return [...new Set(all.filter((r) => r.preferred && r.verbs.includes('list')).map((r) => r.plural))].sort();
}

/** What may come next after the typed words (the last one being completed, possibly empty). */
export async function candidates(program: Command, words: string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const current = words[words.length - 1] ?? '';
  const before = words.slice(0, -1);
  const { cmd, rest } = walk(program, before);
  const prev = before[before.length - 1];
  const flags = accessFlags(before);
  let session: Session | undefined;
  const s = (): Session => (session ??= openSession(flags, env));
  try {
    // The value of the flag just typed.
    const valueOf = prev?.startsWith('-') && !prev.includes('=') ? optionFor(cmd, prev) : undefined;
    if (valueOf && (valueOf.required || valueOf.optional) && !valueOf.negate) {
      switch (valueOf.long) {
        case '--filename':
        case '--kubeconfig':
        case '--patch-file':
          return [filesDirective];
        case '--namespace':
          return await names(s(), 'namespaces');
        case '--context':
          return contexts(flags, env);
        case '--output':
          return outputFormats;
        case '--for':
          return cmd.name() === 'events' ? await typeSlashNames(s(), current) : [];
        default:
          return valueOf.argChoices ?? [];
      }
    }
    const help = program.createHelp();
    if (current.startsWith('-')) return help.visibleOptions(cmd).flatMap((o) => (o.long ? [o.long] : []));
    if (cmd === program || cmd.commands.length) return help.visibleCommands(cmd).map((c) => c.name()).filter((n) => n !== 'help');
    const args = positional(cmd, rest);
    const name = cmd.name();
    if (name === 'explain') return args.length ? [] : await resourceTypes(s());
    if (nodeCommands.has(name)) return await names(s(), 'nodes');
    if (podCommands.has(name)) return args.length ? [] : current.includes('/') ? await typeSlashNames(s(), current) : await names(s(), 'pods');
    if (name === 'completion') return args.length ? [] : ['bash', 'zsh'];
    if (!resourceCommands.has(name)) return [];
    if (current.includes('/')) return await typeSlashNames(s(), current);
    // rollout subcommands take deployments; the others a type first, then its names.
    if (cmd.parent?.name() === 'rollout') return args.length ? [] : (await names(s(), 'deployments')).map((n) => `deployment/${n}`);
    const type = args[0];
    if (!type || type.includes('/')) return await resourceTypes(s());
    return await names(s(), type.split(',')[0]!);
  } catch {
    return [];
  } finally {
    session?.close();
  }
}

/** `pod/web-1`-style candidates for a word typed as TYPE/PREFIX. */
async function typeSlashNames(s: Session, current: string): Promise<string[]> {
  const type = current.split('/', 1)[0]!;
  if (!current.includes('/')) return (await resourceTypes(s)).map((t) => `${t}/`);
  return (await names(s, type)).map((n) => `${type}/${n}`);
}

/** The words after the command that are not flags or flag values. */
function positional(cmd: Command, words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--') break;
    if (w.startsWith('-')) {
      const o = optionFor(cmd, w);
      if (o?.required && !w.includes('=')) i++;
      continue;
    }
    out.push(w);
  }
  return out;
}

export function completionScript(shell: string): string {
  if (shell === 'bash') {
    return `# gantry completion for bash. Load it with: source <(gantry completion bash)
# (or write it to /etc/bash_completion.d/gantry). Candidates come from \`gantry __complete\`.
_gantry() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" IFS=$'\\n' out
  out=$(gantry __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  if [[ "$out" == "${filesDirective}" ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$out" -- "$cur"))
  fi
  # TYPE/ and jsonpath= go on without a space.
  if [[ \${#COMPREPLY[@]} -eq 1 && "\${COMPREPLY[0]}" == *[/=] ]]; then compopt -o nospace 2>/dev/null; fi
}
complete -o default -F _gantry gantry
`;
  }
  if (shell === 'zsh') {
    return `#compdef gantry
# gantry completion for zsh. Load it with: source <(gantry completion zsh)
# (after compinit), or save it as _gantry in a directory of $fpath. Candidates come from \`gantry __complete\`.
_gantry() {
  local -a out
  out=("\${(@f)$(gantry __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if [[ "\${out[1]}" == "${filesDirective}" ]]; then
    _files
    return
  fi
  local -a spaced joined
  spaced=(\${out:#*[/=]})
  joined=(\${(M)out:#*[/=]})
  local ret=1
  (( \${#spaced} )) && compadd -- "\${spaced[@]}" && ret=0
  (( \${#joined} )) && compadd -S '' -- "\${joined[@]}" && ret=0
  return ret
}
if [[ "\${funcstack[1]}" == "_gantry" ]]; then
  _gantry "$@"
else
  compdef _gantry gantry
fi
`;
  }
  throw new UsageError(`completion: the shell must be bash or zsh, not "${shell}"`);
}

export async function completeCommand(program: Command, io: KubeIO, words: string[]): Promise<void> {
  const found = await candidates(program, words.length ? words : [''], io.env);
  if (found.length) io.out(`${found.join('\n')}\n`);
}
