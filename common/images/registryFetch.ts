// One registry request as an anonymous client makes it: when the registry answers 401
// with a Bearer challenge (token auth), ask the realm for a token for `scope` with no
// credentials and send the request again. For `gantry up`'s "are the images there yet"
// check and for tests; the node agent has its own full client (nodeagent/images/registry).

/** `Bearer realm="...",service="...",scope="..."` -> its parameters (lower-case names). */
export function bearerParams(header: string | null): Record<string, string> | undefined {
  if (!header || !/^\s*bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.replace(/^\s*bearer\s+/i, '').matchAll(/([A-Za-z_]+)="([^"]*)"/g)) params[m[1]!.toLowerCase()] = m[2]!;
  return params;
}

/** An anonymous token for `scope` from the realm a 401 named; undefined when the challenge is not Bearer. */
export async function anonymousToken(wwwAuthenticate: string | null, scope: string): Promise<string | undefined> {
  const p = bearerParams(wwwAuthenticate);
  if (!p?.realm) return undefined;
  const url = new URL(p.realm);
  if (p.service) url.searchParams.set('service', p.service);
  url.searchParams.set('scope', scope);
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (res.status !== 200) return undefined;
  const body = (await res.json()) as { token?: unknown; access_token?: unknown };
  const token = typeof body.token === 'string' ? body.token : body.access_token;
  return typeof token === 'string' ? token : undefined;
}

export async function fetchAnonymously(url: string, init: RequestInit, scope: string): Promise<Response> {
  const first = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
  if (first.status !== 401) return first;
  const token = await anonymousToken(first.headers.get('www-authenticate'), scope);
  if (!token) return first;
  await first.body?.cancel();
  return fetch(url, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5_000) });
}
