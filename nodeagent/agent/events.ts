// Events about pods (Pulled, Created, Started, Killing, BackOff, Unhealthy, ...), written to
// the core events API without blocking the caller. The same event for the same object within
// a minute is written once, and a bounded queue drops the rest under a burst, so a crash-looping
// pod cannot flood the API server.

import { randomBytes } from 'node:crypto';
import type { RestClient } from '../../common/client/restClient.js';
import { rfc3339, type Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logging.js';
import type { Pod } from './podTypes.js';

export interface EventSink {
  record(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void;
}

export class PodEventRecorder implements EventSink {
  private readonly recent = new Map<string, number>();
  private queue = 0;

  constructor(
    private readonly client: RestClient,
    private readonly nodeName: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly maxInFlight = 50,
  ) {}

  record(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void {
    const now = this.clock.now();
    const key = `${pod.metadata.uid}|${reason}|${message}`;
    const last = this.recent.get(key);
    if (last !== undefined && now - last < 60_000) return;
    this.recent.set(key, now);
    if (this.recent.size > 5000) for (const [k, t] of this.recent) if (now - t >= 60_000) this.recent.delete(k);
    if (this.queue >= this.maxInFlight) return;
    this.queue++;
    const ns = pod.metadata.namespace;
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${pod.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: ns },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: pod.metadata.name, uid: pod.metadata.uid, ...(fieldPath ? { fieldPath } : {}) },
      reason,
      message,
      type,
      source: { component: 'gantry-agent', host: this.nodeName },
      reportingComponent: 'gantry-agent',
      reportingInstance: this.nodeName,
      firstTimestamp: rfc3339(now),
      lastTimestamp: rfc3339(now),
      count: 1,
    };
    this.client
      .request('POST', `/api/v1/namespaces/${ns}/events`, { body })
      .then((r) => {
        if (r.status !== 201) this.logger.debug('event not recorded', { status: r.status, reason });
      })
      .catch((e: unknown) => this.logger.debug('event not recorded', { error: (e as Error).message }))
      .finally(() => this.queue--);
  }
}

/** Events about the node itself. */
export interface NodeEventSink {
  record(type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/** Writes Node events as the kubelet does: in `default`, about the Node by name (its uid is its name there too). */
export class NodeEventRecorder implements NodeEventSink {
  constructor(
    private readonly client: RestClient,
    private readonly nodeName: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  record(type: 'Normal' | 'Warning', reason: string, message: string): void {
    const now = rfc3339(this.clock.now());
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${this.nodeName}.${randomBytes(8).toString('hex')}`, namespace: 'default' },
      involvedObject: { apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid: this.nodeName },
      reason,
      message,
      type,
      source: { component: 'gantry-agent', host: this.nodeName },
      reportingComponent: 'gantry-agent',
      reportingInstance: this.nodeName,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    this.client
      .request('POST', '/api/v1/namespaces/default/events', { body })
      .then((r) => {
        if (r.status !== 201) this.logger.warn('node event not recorded', { status: r.status, reason });
      })
      .catch((e: unknown) => this.logger.warn('node event not recorded', { error: (e as Error).message, reason }));
  }
}
