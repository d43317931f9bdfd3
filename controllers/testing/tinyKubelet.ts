// A stand-in for the node agents in controller integration tests, where no pod runs: it
// marks pods Running, Ready unless `ready(pod)` says otherwise, and (with `assignIps`) gives
// each an IP, through the status subresource as an agent does. When `finish(pod)` names an
// outcome, a Running pod then ends with it (phase Succeeded or Failed, its containers
// terminated with that exit code), as a pod whose containers exit under restartPolicy Never
// does. Terminating and finished pods are left as they are.

import type { Api } from '../../common/client/api.js';
import { rfc3339 } from '../../common/clock.js';
import { isPodActive, isPodReady } from '../replicaset/podState.js';
import { podsResource, type Pod } from '../replicaset/types.js';

export interface TinyKubeletOptions {
  /** Only pods bound to a node (spec.nodeName), as a real agent sees them; default: every active pod. */
  boundOnly?: boolean;
  /** Gives each pod an IP from 10.244.0.0/16 (for Endpoints and EndpointSlices). */
  assignIps?: boolean;
}

/** How a pod ends: its containers exit with `exitCode` (0: Succeeded, else Failed). */
export interface PodOutcome {
  exitCode: number;
}

export class TinyKubelet {
  ready: (pod: Pod) => boolean = () => true;
  /** The outcome of a Running pod; undefined keeps it running (the default for every pod). */
  finish: (pod: Pod) => PodOutcome | undefined = () => undefined;
  private readonly ips = new Map<string, string>();
  private next = 10;
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly api: Api,
    private readonly opts: TinyKubeletOptions = {},
  ) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        await this.once().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private ipOf(pod: Pod): string {
    const uid = pod.metadata.uid ?? '';
    let ip = this.ips.get(uid);
    if (!ip) this.ips.set(uid, (ip = `10.244.${this.next >> 8}.${this.next++ & 255}`));
    return ip;
  }

  private async once(): Promise<void> {
    const pods = (await this.api.list<Pod>(podsResource, undefined)).items.filter((p) => isPodActive(p) && (!this.opts.boundOnly || p.spec?.nodeName));
    await Promise.all(
      pods.map(async (pod) => {
        const outcome = pod.status?.phase === 'Running' ? this.finish(pod) : undefined;
        if (outcome) return this.terminate(pod, outcome);
        const ready = this.ready(pod);
        const ip = this.opts.assignIps ? this.ipOf(pod) : undefined;
        if (pod.status?.phase === 'Running' && isPodReady(pod) === ready && (ip === undefined || pod.status.podIP === ip)) return;
        const condition = { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: rfc3339(Date.now()) };
        const status = { phase: 'Running', conditions: [condition], ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}) };
        await this.api.patch(podsResource, pod.metadata.namespace, pod.metadata.name ?? '', 'merge', { status }, { subresource: 'status' });
      }),
    );
  }

  private async terminate(pod: Pod, outcome: PodOutcome): Promise<void> {
    const now = rfc3339(Date.now());
    const containers = Array.isArray(pod.spec?.containers) ? (pod.spec.containers as { name?: string; image?: string }[]) : [];
    const terminated = { exitCode: outcome.exitCode, reason: outcome.exitCode === 0 ? 'Completed' : 'Error', startedAt: now, finishedAt: now };
    const status = {
      phase: outcome.exitCode === 0 ? 'Succeeded' : 'Failed',
      conditions: [{ type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: now }],
      containerStatuses: containers.map((c) => ({ name: c.name ?? '', image: c.image ?? '', imageID: '', ready: false, restartCount: 0, started: false, state: { terminated } })),
    };
    await this.api.patch(podsResource, pod.metadata.namespace, pod.metadata.name ?? '', 'merge', { status }, { subresource: 'status' });
  }
}
