// Just enough of `sh -c` to read the scripts of the conformance vocabulary: statements
// separated by `;` or newlines, words with single and double quotes, `$NAME` and
// `${NAME}` expansion, and a trailing `>&2`. Anything else (pipes, `&&`, command
// substitution, other redirections) is refused, and the caller treats the command as
// one it does not emulate.

export interface ShellStatement {
  words: string[];
  /** The statement ended in `>&2` (or `1>&2`): its output goes to stderr. */
  toStderr: boolean;
}

/** Splits at `;` and newlines outside quotes. */
function splitStatements(script: string): string[] | undefined {
  const out: string[] = [];
  let cur = '';
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < script.length; i++) {
    const ch = script[i]!;
    if (quote) {
      if (ch === '\\' && quote === '"' && i + 1 < script.length) {
        cur += ch + script[++i]!;
        continue;
      }
      if (ch === quote) quote = undefined;
      cur += ch;
      continue;
    }
    if (ch === '\\' && i + 1 < script.length) {
      cur += ch + script[++i]!;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    if (ch === ';' || ch === '\n') {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (quote) return undefined;
  out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

const nameStart = /[A-Za-z_]/;
const nameChar = /[A-Za-z0-9_]/;

/** Reads `$NAME` or `${NAME}` at `i` (pointing at `$`); returns the value and the index after it. */
function expand(s: string, i: number, env: ReadonlyMap<string, string>): { value: string; next: number } | undefined {
  if (s[i + 1] === '{') {
    const end = s.indexOf('}', i + 2);
    const name = end < 0 ? '' : s.slice(i + 2, end);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return undefined;
    return { value: env.get(name) ?? '', next: end + 1 };
  }
  if (!nameStart.test(s[i + 1] ?? '')) {
    // A lone `$` is literal; `$(`, `$?`, `$1`... are not emulated.
    return s[i + 1] === undefined || /\s|"/.test(s[i + 1]!) ? { value: '$', next: i + 1 } : undefined;
  }
  let j = i + 1;
  while (j < s.length && nameChar.test(s[j]!)) j++;
  return { value: env.get(s.slice(i + 1, j)) ?? '', next: j };
}

/** Words of one statement after quote removal and expansion. */
function splitWords(stmt: string, env: ReadonlyMap<string, string>): string[] | undefined {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  while (i < stmt.length) {
    const ch = stmt[i]!;
    if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (ch === "'") {
      const end = stmt.indexOf("'", i + 1);
      if (end < 0) return undefined;
      cur += stmt.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      i++;
      for (;;) {
        if (i >= stmt.length) return undefined;
        const c = stmt[i]!;
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\' && /[$`"\\]/.test(stmt[i + 1] ?? '')) {
          cur += stmt[i + 1];
          i += 2;
        } else if (c === '$') {
          const e = expand(stmt, i, env);
          if (!e) return undefined;
          cur += e.value;
          i = e.next;
        } else if (c === '`') {
          return undefined;
        } else {
          cur += c;
          i++;
        }
      }
    } else if (ch === '\\') {
      cur += stmt[i + 1] ?? '';
      i += 2;
    } else if (ch === '$') {
      // Unquoted expansions would be split into words; the vocabulary quotes its own.
      const e = expand(stmt, i, env);
      if (!e) return undefined;
      cur += e.value;
      i = e.next;
    } else if ('|&<>()`{}'.includes(ch)) {
      return undefined;
    } else {
      cur += ch;
      i++;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** The statements of a script, or undefined when it uses syntax outside the emulated subset. */
export function parseShellScript(script: string, env: ReadonlyMap<string, string>): ShellStatement[] | undefined {
  const statements = splitStatements(script);
  if (!statements) return undefined;
  const out: ShellStatement[] = [];
  for (const raw of statements) {
    const redirect = /\s1?>&2$/.exec(raw);
    const body = redirect ? raw.slice(0, redirect.index) : raw;
    const words = splitWords(body, env);
    if (!words || words.length === 0) return undefined;
    out.push({ words, toStderr: redirect !== null });
  }
  return out;
}
