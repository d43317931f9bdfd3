// What users see of scheduling decisions, written in the background so the scheduling loop
// never waits on the API: the PodScheduled=False condition (reason Unschedulable, the
// "0/N nodes are available: ..." message) and nominatedNodeName on the pod's status, and
// Events (Scheduled, FailedScheduling, Preempted). Status writes are coalesced per pod: only
// the latest wanted state is written, and nothing is written when it is already there.

import type { KubeObject } from '../../common/api/meta.js';
import type { Clock } from '../../common/clock.js';
import { rfc3339 } from '../../common/clock.js';
import { resourceFor } from '../../common/api/resources.js';
import type { Api } from '../../common/client/api.js';
import type { EventRecorder } from '../../common/controller/types.js';
import { NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import { silentLogger } from '../../common/logging.js';
import type { Pod } from '../framework/types.js';
import { podKey } from '../framework/types.js';
import { schedulerUnschedulableNodesAnnotation as unschedulableNodesAnnotation } from '../../common/api/schedulerAnnotations.js';

export interface SchedulingReporter {
  scheduled(pod: Pod, nodeName: string): void;
  /**
   * `reason`: Unschedulable (no node fits) or SchedulerError (something failed).
   * `unschedulableNodes`: the encoded per-node reasons (unschedulableNodes.ts), for Unschedulable.
   */
  unschedulable(pod: Pod, message: string, reason: 'Unschedulable' | 'SchedulerError', nominatedNodeName?: string, unschedulableNodes?: string): void;
  preempted(victim: Pod, by: Pod, nodeName: string): void;
  /** Clears status.nominatedNodeName (a lower-priority nomination overtaken by preemption). */
  clearNomination(pod: Pod): void;
}

/** The pod as an event's involved object. */
export function involved(pod: Pod): KubeObject {
  const m = pod.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid ?? '', ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}) },
  };
}

const pods = resourceFor('Pod');

interface StatusPatch {
  pod: Pod;
  body: unknown;
  /** Where the patch goes: the status subresource, or the pod itself (the annotation). */
  target: 'status' | 'metadata';
}

export interface ApiReporterOptions {
  api: Api;
  events: EventRecorder;
  clock: Clock;
  logger?: Logger;
  /** Record a Normal "Scheduled" event per bound pod (kube-scheduler does). Default true. */
  scheduledEvents?: boolean;
  concurrency?: number;
}

export class ApiReporter implements SchedulingReporter {
  private readonly pending = new Map<string, StatusPatch>();
  private active = 0;
  private readonly logger: Logger;
  private idle: (() => void)[] = [];
  readonly stats = { statusWrites: 0, statusFailures: 0 };

  constructor(private readonly opts: ApiReporterOptions) {
    this.logger = opts.logger ?? silentLogger();
  }

  scheduled(pod: Pod, nodeName: string): void {
    // The per-node reasons are about a decision that no longer holds.
    if (pod.metadata?.annotations?.[unschedulableNodesAnnotation] !== undefined) this.patchAnnotation(pod, null);
    if (this.opts.scheduledEvents === false) return;
    this.opts.events.event(involved(pod), 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''} to ${nodeName}`);
  }

  unschedulable(pod: Pod, message: string, reason: 'Unschedulable' | 'SchedulerError', nominatedNodeName?: string, unschedulableNodes?: string): void {
    this.opts.events.event(involved(pod), 'Warning', 'FailedScheduling', message);
    if (unschedulableNodes !== undefined && pod.metadata?.annotations?.[unschedulableNodesAnnotation] !== unschedulableNodes) this.patchAnnotation(pod, unschedulableNodes);
    const current = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
    const nominationChanges = nominatedNodeName !== undefined && pod.status?.nominatedNodeName !== nominatedNodeName;
    if (current && current.status === 'False' && current.reason === reason && current.message === message && !nominationChanges) return;
    const transition = current?.status === 'False' && current.lastTransitionTime ? String(current.lastTransitionTime) : rfc3339(this.opts.clock.now());
    const status: Record<string, unknown> = {
      conditions: [{ type: 'PodScheduled', status: 'False', reason, message, lastProbeTime: null, lastTransitionTime: transition }],
    };
    if (nominatedNodeName !== undefined) status.nominatedNodeName = nominatedNodeName;
    this.patchStatus(pod, { status });
  }

  preempted(victim: Pod, by: Pod, nodeName: string): void {
    this.opts.events.event(involved(victim), 'Normal', 'Preempted', `Preempted by pod ${by.metadata?.uid ?? ''} on node ${nodeName}`);
  }

  clearNomination(pod: Pod): void {
    if (!pod.status?.nominatedNodeName) return;
    this.patchStatus(pod, { status: { nominatedNodeName: null } });
  }

  /** Resolves when all status writes so far are done (for tests). */
  flush(): Promise<void> {
    if (this.active === 0 && this.pending.size === 0) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  private patchStatus(pod: Pod, body: unknown): void {
    this.pending.set(podKey(pod), { pod, body, target: 'status' });
    this.pump();
  }

  /**
   * A merge patch of the pod's metadata touching only the annotation (the status subresource
   * keeps metadata as it is, so this is a write of its own), coalesced per pod like status.
   */
  private patchAnnotation(pod: Pod, value: string | null): void {
    this.pending.set(`${podKey(pod)}#annotation`, { pod, body: { metadata: { annotations: { [unschedulableNodesAnnotation]: value } } }, target: 'metadata' });
    this.pump();
  }

  private pump(): void {
    while (this.active < (this.opts.concurrency ?? 4) && this.pending.size) {
      const [key, p] = this.pending.entries().next().value!;
      this.pending.delete(key);
      this.active++;
      void this.write(p)
        .catch((e: unknown) => {
          this.stats.statusFailures++;
          this.logger.debug('pod status update failed', { pod: key, error: e instanceof Error ? e.message : String(e) });
        })
        .finally(() => {
          this.active--;
          this.pump();
          if (this.active === 0 && this.pending.size === 0) for (const w of this.idle.splice(0)) w();
        });
    }
  }

  private async write(p: StatusPatch): Promise<void> {
    try {
      const ns = p.pod.metadata?.namespace ?? 'default';
      const name = p.pod.metadata?.name ?? '';
      if (p.target === 'status') await this.opts.api.patch(pods, ns, name, 'strategic', p.body, { subresource: 'status' });
      else await this.opts.api.patch(pods, ns, name, 'merge', p.body);
    } catch (e) {
      // The pod is gone; nothing to tell anyone.
      if (!(e instanceof NotFoundError)) throw e;
    }
    this.stats.statusWrites++;
  }
}
