// Test-only stand-ins for node agents, for integration tests of the node controllers: each
// fake node registers a Node (Ready=True), renews its Lease in kube-node-lease every
// `renewMs` (the real agent's cadence: every 5 s), binds unscheduled pods to the live node
// with the fewest pods (there is no scheduler in these tests), marks its pods Running and
// Ready, and finishes the graceful deletion of its pods. stop() makes a node silent, as a
// crashed host would be; start() brings it back and reports Ready again.

import { microTime } from '../../common/client/leaderElection.js';
import type { Api } from '../../common/client/api.js';
import { rfc3339 } from '../../common/clock.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../common/errors.js';
import { leasesResource, nodeLeaseNamespace, nodesResource, podsResource, type Lease, type Node, type Pod } from './types.js';

export class FakeNodes {
  readonly alive = new Set<string>();
  /** When each node last renewed its Lease (ms since the epoch). */
  readonly lastRenewal = new Map<string, number>();
  private timers: NodeJS.Timeout[] = [];
  private kubelet: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly api: Api,
    private readonly renewMs = 5_000,
  ) {}

  async add(name: string, labels: Record<string, string> = {}): Promise<void> {
    const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec: {} };
    await this.api.create(nodesResource, undefined, node).catch((e: unknown) => {
      if (!(e instanceof AlreadyExistsError)) throw e;
    });
    await this.start(name);
  }

  /** Makes the node alive: Ready=True, Lease renewed now and then every renewMs (staggered per node by when this is called). */
  async start(name: string): Promise<void> {
    this.alive.add(name);
    await this.reportReady(name);
    await this.renew(name);
    const t = setInterval(() => {
      if (this.alive.has(name)) void this.renew(name).catch(() => undefined);
    }, this.renewMs);
    this.timers.push(t);
  }

  /** The node goes silent: no renewals, no status, no pod work. Returns the last renewal time. */
  stop(name: string): number {
    this.alive.delete(name);
    return this.lastRenewal.get(name) ?? 0;
  }

  startKubelet(everyMs = 100): void {
    this.kubelet = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      void this.kubeletOnce()
        .catch(() => undefined)
        .finally(() => (this.busy = false));
    }, everyMs);
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
    if (this.kubelet) clearInterval(this.kubelet);
    this.alive.clear();
  }

  async reportReady(name: string): Promise<void> {
    const now = rfc3339(Date.now());
    const conditions = [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready', lastHeartbeatTime: now, lastTransitionTime: now }];
    await this.api.patch(nodesResource, undefined, name, 'merge', { status: { conditions } }, { subresource: 'status' });
  }

  private async renew(name: string): Promise<void> {
    const now = Date.now();
    const spec = { holderIdentity: name, leaseDurationSeconds: (this.renewMs * 4) / 1000, renewTime: microTime(now) };
    try {
      const lease = await this.api.get<Lease>(leasesResource, nodeLeaseNamespace, name);
      await this.api.update<Lease>(leasesResource, { ...lease, spec: { ...lease.spec, ...spec } });
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      await this.api.create<Lease>(leasesResource, nodeLeaseNamespace, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: nodeLeaseNamespace }, spec });
    }
    this.lastRenewal.set(name, now);
  }

  private async kubeletOnce(): Promise<void> {
    const pods = (await this.api.list<Pod>(podsResource, undefined)).items;
    const perNode = new Map<string, number>([...this.alive].map((n) => [n, 0]));
    for (const p of pods) if (p.spec?.nodeName && perNode.has(p.spec.nodeName)) perNode.set(p.spec.nodeName, perNode.get(p.spec.nodeName)! + 1);
    await Promise.all(
      pods.map(async (pod) => {
        const ns = pod.metadata.namespace;
        const name = pod.metadata.name ?? '';
        try {
          if (!pod.spec?.nodeName) {
            if (pod.metadata.deletionTimestamp) return;
            const target = [...perNode].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0];
            if (!target) return;
            perNode.set(target[0], target[1] + 1);
            await this.api.createSubresource(podsResource, ns, name, 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace: ns }, target: { apiVersion: 'v1', kind: 'Node', name: target[0] } });
            return;
          }
          if (!this.alive.has(pod.spec.nodeName)) return;
          if (pod.metadata.deletionTimestamp) {
            await this.api.delete(podsResource, ns, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid ?? '' } });
            return;
          }
          const ready = (pod.status?.conditions as { type: string; status: string }[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True');
          if (pod.status?.phase === 'Running' && ready) return;
          const now = rfc3339(Date.now());
          await this.api.patch(podsResource, ns, name, 'merge', { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } }, { subresource: 'status' });
        } catch (e) {
          if (!(e instanceof ConflictError || e instanceof NotFoundError)) throw e;
        }
      }),
    );
  }
}
