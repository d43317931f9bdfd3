// What the benchmark's client sees of its pods, through one watch on their namespace: when
// each pod was first seen, when it was first seen Running (Kubernetes' pod startup latency
// ends there), how many status writes came in between, and when it was deleted. Times are
// this process's clock (wallMs), the same clock the create requests are timed with.

import type { RestClient } from '../../common/client/restClient.js';

/** Milliseconds since the epoch on a monotonic base: comparable with Date.now() of other processes. */
export const wallMs = (): number => performance.timeOrigin + performance.now();

export interface PodSeen {
  uid?: string;
  addedMs?: number;
  runningMs?: number;
  /** MODIFIED events after ADDED and before the first Running one. */
  writesBeforeRunning: number;
  deletedMs?: number;
}

interface Waiter {
  name: string;
  want: 'running' | 'deleted';
  resolve: (ms: number) => void;
}

interface WatchedPod {
  metadata?: { name?: string; uid?: string; resourceVersion?: string };
  status?: { phase?: string };
}

export class PodWatch {
  private readonly seen = new Map<string, PodSeen>();
  private waiters: Waiter[] = [];
  private resourceVersion = '';
  private current: { stop: () => void } | undefined;
  private stopped = false;
  private failure: Error | undefined;

  constructor(
    private readonly client: RestClient,
    private readonly namespace: string,
  ) {}

  /** Lists once for a resource version, then watches from it (reopening if the stream ends). */
  async start(): Promise<void> {
    const r = await this.client.get<{ metadata?: { resourceVersion?: string } }>(`/api/v1/namespaces/${this.namespace}/pods`);
    if (r.status !== 200) throw new Error(`list pods: HTTP ${r.status} ${r.text}`);
    this.resourceVersion = r.body.metadata?.resourceVersion ?? '';
    this.open();
  }

  private open(): void {
    const w = this.client.watch(`/api/v1/namespaces/${this.namespace}/pods`, { resourceVersion: this.resourceVersion }, (ev) => this.onEvent(ev.type, ev.object as WatchedPod));
    this.current = w;
    void w.done.then(
      (code) => {
        if (this.stopped) return;
        // 410 Gone would need a relist; a short benchmark never sees one, so it is an error here.
        if (code !== 200 && code !== 0) this.fail(new Error(`pod watch ended with HTTP ${code}`));
        else this.open();
      },
      (e: unknown) => this.fail(e instanceof Error ? e : new Error(String(e))),
    );
  }

  private fail(e: Error): void {
    this.failure = e;
  }

  private onEvent(type: string, pod: WatchedPod): void {
    const at = wallMs();
    const name = pod.metadata?.name;
    if (pod.metadata?.resourceVersion) this.resourceVersion = pod.metadata.resourceVersion;
    if (!name) return;
    let s = this.seen.get(name);
    // A name reused after deletion starts a new record.
    if (!s || (s.deletedMs !== undefined && type !== 'DELETED')) {
      s = { writesBeforeRunning: 0 };
      this.seen.set(name, s);
    }
    if (pod.metadata?.uid) s.uid = pod.metadata.uid;
    if (type === 'ADDED') s.addedMs ??= at;
    if (type === 'DELETED') s.deletedMs = at;
    else if (s.runningMs === undefined) {
      if (pod.status?.phase === 'Running') s.runningMs = at;
      else if (type === 'MODIFIED') s.writesBeforeRunning++;
    }
    this.settle();
  }

  private settle(): void {
    this.waiters = this.waiters.filter((w) => {
      const s = this.seen.get(w.name);
      const at = w.want === 'running' ? s?.runningMs : s?.deletedMs;
      if (at === undefined) return true;
      w.resolve(at);
      return false;
    });
  }

  get(name: string): PodSeen | undefined {
    return this.seen.get(name);
  }

  /** Forgets a name so that a new pod of the same name is timed afresh. */
  forget(name: string): void {
    this.seen.delete(name);
  }

  /** Resolves with the arrival time of the first Running event for `name`. */
  waitRunning(name: string, timeoutMs: number): Promise<number> {
    return this.wait(name, 'running', timeoutMs);
  }

  waitDeleted(name: string, timeoutMs: number): Promise<number> {
    return this.wait(name, 'deleted', timeoutMs);
  }

  private wait(name: string, want: Waiter['want'], timeoutMs: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(this.failure ?? new Error(`pod ${name} was not ${want} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        name,
        want,
        resolve: (ms) => {
          clearTimeout(timer);
          resolve(ms);
        },
      };
      this.waiters.push(waiter);
      this.settle();
    });
  }

  stop(): void {
    this.stopped = true;
    this.current?.stop();
  }
}
