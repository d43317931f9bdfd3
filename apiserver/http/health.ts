// /livez, /readyz and /healthz as kube-apiserver serves them: named checks; `ok` when all
// pass, `?verbose` lists them (`[+]ping ok` ... `readyz check passed`), a failure answers
// 500 listing every check with the failing ones as `[-]etcd failed: reason withheld` (the
// endpoints are open to every authenticated user, so the reason goes to the log and to
// `/readyz/<check>`, which only those allowed `*` paths may read), `?exclude=<check>` skips
// one. /livez holds only what a restart of this process could fix: etcd being away is a
// reason not to send traffic here (/readyz), never a reason to kill the API server.

import type { ServerResponse } from 'node:http';
import type { Logger } from '../../common/logging.js';

export interface HealthCheck {
  readonly name: string;
  /** Resolves when healthy; rejects with the reason otherwise. */
  check(): Promise<void>;
}

export type HealthEndpoint = 'livez' | 'readyz' | 'healthz';

export const pingCheck: HealthCheck = { name: 'ping', check: () => Promise.resolve() };

export interface HealthAnswer {
  code: number;
  body: string;
}

/** Resolves or rejects with `promise`, or rejects with `message` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * Can etcd answer, within a short bound (kube-apiserver's --etcd-healthcheck-timeout, 2 s)?
 * Probes share one request in flight: a prober hammering /readyz (it takes no in-flight
 * seat) adds no load on etcd beyond one read at a time.
 */
export class EtcdCheck implements HealthCheck {
  readonly name = 'etcd';
  private pending: Promise<void> | undefined;

  constructor(
    private readonly probe: () => Promise<unknown>,
    private readonly timeoutMs = 2_000,
  ) {}

  check(): Promise<void> {
    this.pending ??= this.probe().then(
      () => {
        this.pending = undefined;
      },
      (e: unknown) => {
        this.pending = undefined;
        throw e;
      },
    );
    return within(this.pending, this.timeoutMs, `etcd did not answer within ${this.timeoutMs / 1000}s`);
  }
}

export class HealthEndpoints {
  private readonly failing = new Map<string, string>();

  constructor(
    private readonly checks: Record<HealthEndpoint, HealthCheck[]>,
    private readonly logger: Logger,
  ) {}

  /** The answer to GET /<endpoint>[/<check>]; undefined when there is no such check (404). */
  async answer(endpoint: HealthEndpoint, checkName: string | undefined, query: URLSearchParams): Promise<HealthAnswer | undefined> {
    const checks = this.checks[endpoint];
    if (checkName !== undefined) {
      const one = checks.find((c) => c.name === checkName);
      if (!one) return undefined;
      const err = await this.run(endpoint, one);
      return err === undefined ? { code: 200, body: 'ok' } : { code: 500, body: `internal server error: ${err}\n` };
    }
    const excluded = new Set(query.getAll('exclude').flatMap((e) => e.split(',')).map((e) => e.trim()).filter(Boolean));
    const results = await Promise.all(checks.map(async (c) => (excluded.delete(c.name) ? 'excluded' : await this.run(endpoint, c))));
    let lines = '';
    checks.forEach((c, i) => {
      const r = results[i];
      if (r === 'excluded') lines += `[+]${c.name} excluded: ok\n`;
      else if (r === undefined) lines += `[+]${c.name} ok\n`;
      else lines += `[-]${c.name} failed: reason withheld\n`;
    });
    if (excluded.size) lines += `warn: some health checks cannot be excluded: no matches for ${[...excluded].map((e) => JSON.stringify(e)).join(',')}\n`;
    const failed = checks.filter((c, i) => results[i] !== undefined && results[i] !== 'excluded');
    // A failure is always told in full; success only when asked.
    if (failed.length) return { code: 500, body: `${lines}${endpoint} check failed\n` };
    if (!query.has('verbose')) return { code: 200, body: 'ok' };
    return { code: 200, body: `${lines}${endpoint} check passed\n` };
  }

  /** Serves the answer as kube-apiserver writes it: text/plain, never sniffed. */
  async serve(endpoint: HealthEndpoint, checkName: string | undefined, query: URLSearchParams, res: ServerResponse): Promise<boolean> {
    const a = await this.answer(endpoint, checkName, query);
    if (!a) return false;
    if (res.writableEnded) return true;
    res.writeHead(a.code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache, private', 'Content-Length': Buffer.byteLength(a.body) });
    res.end(a.body);
    return true;
  }

  /** The failure's reason, or undefined; a change of state is logged once, not at every probe. */
  private async run(endpoint: HealthEndpoint, c: HealthCheck): Promise<string | undefined> {
    const started = Date.now();
    let reason: string | undefined;
    try {
      await c.check();
    } catch (e) {
      reason = e instanceof Error ? e.message : String(e);
    }
    const before = this.failing.get(c.name);
    if (reason !== undefined && before !== reason) {
      this.failing.set(c.name, reason);
      this.logger.warn('health check failed', { check: c.name, endpoint, reason, ms: Date.now() - started });
    } else if (reason === undefined && before !== undefined) {
      this.failing.delete(c.name);
      this.logger.info('health check passes again', { check: c.name, endpoint });
    }
    return reason;
  }
}
