// Events about pods (Pulled, Created, Started, Killing, BackOff, Unhealthy, ...) and about the
// node, written through common/events' one recorder: in the background, bounded, repeats
// counted on one Event and a crash-looping pod's spam filtered, so it cannot flood the API
// server. These are the agent's role interfaces over it.

import { ApiClient } from '../../common/client/apiClient.js';
import type { RestClient } from '../../common/client/restClient.js';
import type { Clock } from '../../common/clock.js';
import { ApiEventRecorder } from '../../common/events/recorder.js';
import type { Logger } from '../../common/logging.js';
import type { Pod } from './podTypes.js';

export interface EventSink {
  record(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void;
}

/** Events about the node itself. */
export interface NodeEventSink {
  record(type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/** The one recorder of an agent: source gantry-agent on this host, at the kubelet's default 50 events/s (burst 100). */
export function agentEventRecorder(o: { client: RestClient; nodeName: string; clock: Clock; logger: Logger }): ApiEventRecorder {
  return new ApiEventRecorder({
    api: new ApiClient({ client: o.client, qps: 50, burst: 100 }),
    component: 'gantry-agent',
    instance: o.nodeName,
    host: o.nodeName,
    clock: o.clock,
    logger: o.logger,
  });
}

export class PodEventRecorder implements EventSink {
  constructor(private readonly recorder: Pick<ApiEventRecorder, 'event'>) {}

  record(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void {
    const m = pod.metadata;
    const ref = { apiVersion: 'v1', kind: 'Pod', metadata: { name: m.name, namespace: m.namespace, uid: m.uid, ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}) } };
    this.recorder.event(ref, type, reason, message, fieldPath ? { fieldPath } : {});
  }
}

/** Node events as the kubelet writes them: in `default`, about the Node by name (its uid is its name there too). */
export class NodeEventRecorder implements NodeEventSink {
  constructor(
    private readonly recorder: Pick<ApiEventRecorder, 'event'>,
    private readonly nodeName: string,
  ) {}

  record(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.recorder.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: this.nodeName, uid: this.nodeName } }, type, reason, message);
  }
}
