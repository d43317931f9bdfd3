// Parsing WWW-Authenticate challenges (RFC 7235): `Bearer realm="...",service="...",scope="..."`
// or `Basic realm="..."`. A header may hold several challenges; parameters may be quoted.

export interface Challenge {
  scheme: string; // lower case: 'bearer', 'basic', ...
  params: Record<string, string>;
}

const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const out: Challenge[] = [];
  for (const h of Array.isArray(header) ? header : header ? [header] : []) {
    let s = h.trim();
    let current: Challenge | undefined;
    while (s.length > 0) {
      const name = token.exec(s)?.[0];
      if (!name) break;
      s = s.slice(name.length).trimStart();
      if (s.startsWith('=') && current) {
        s = s.slice(1).trimStart();
        let value = '';
        if (s.startsWith('"')) {
          let i = 1;
          for (; i < s.length && s[i] !== '"'; i++) {
            if (s[i] === '\\' && i + 1 < s.length) i++;
            value += s[i];
          }
          s = s.slice(i + 1);
        } else {
          value = token.exec(s)?.[0] ?? '';
          s = s.slice(value.length);
        }
        current.params[name.toLowerCase()] = value;
      } else {
        current = { scheme: name.toLowerCase(), params: {} };
        out.push(current);
      }
      s = s.trimStart();
      if (s.startsWith(',')) s = s.slice(1).trimStart();
    }
  }
  return out;
}
