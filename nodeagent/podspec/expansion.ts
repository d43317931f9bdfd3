// Kubernetes' `$(VAR)` references in env values, command, args and subPathExpr.
// `$(NAME)` becomes NAME's value when NAME is known and stays as written otherwise; `$$`
// is an escaped `$` (so `$$(X)` yields a literal `$(X)`); any other `$` is kept, as is a
// `$(` without its closing parenthesis.

import type { KeyValue } from '../cri/types.js';

export function expandReferences(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1]!;
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
        i += 2;
      } else {
        const name = input.slice(i + 2, close);
        out += lookup(name) ?? `$(${name})`;
        i = close + 1;
      }
    } else {
      out += ch + next;
      i += 2;
    }
  }
  return out;
}

/** A lookup over resolved env vars; the last entry of a name wins, as in the container's environment. */
export function envLookup(envs: readonly KeyValue[]): (name: string) => string | undefined {
  const values = new Map(envs.map((e) => [e.key, e.value] as const));
  return (name) => values.get(name);
}

/** `command` or `args` with `$(VAR)` references to the container's env vars expanded. */
export function expandCommand(args: readonly string[] | undefined, envs: readonly KeyValue[]): string[] {
  const lookup = envLookup(envs);
  return (args ?? []).map((a) => expandReferences(String(a), lookup));
}
