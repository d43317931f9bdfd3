// `describe pod`: kubectl's sections in kubectl's order.

import { describeContainers, describeVolumes, podEnvResolver } from './containers.js';
import { annotationsMultiline, controlledBy, describeEvents, labelsMultiline, rfc1123z, tolerationsMultiline } from './fields.js';
import { DescribeWriter } from './tabwriter.js';
import type { CoreEvent, Pod } from './wire.js';

/** The QoS class the server would give (the status has it once the pod was admitted by a node). */
export function qosClass(pod: Pod): string {
  const cs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const set = (q: Record<string, unknown> | undefined): string[] => Object.keys(q ?? {}).filter((k) => k === 'cpu' || k === 'memory');
  if (cs.every((c) => !set(c.resources?.requests).length && !set(c.resources?.limits).length)) return 'BestEffort';
  const guaranteed = cs.every((c) => {
    const l = c.resources?.limits ?? {};
    const r = c.resources?.requests ?? {};
    return ['cpu', 'memory'].every((k) => l[k] !== undefined && (r[k] === undefined || String(r[k]) === String(l[k])));
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export function describePod(pod: Pod, events: CoreEvent[] | undefined, now = Date.now()): string {
  const w = new DescribeWriter();
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  w.line(0, 'Name:', pod.metadata?.name ?? '');
  w.line(0, 'Namespace:', pod.metadata?.namespace ?? '');
  if (spec.priority !== undefined) w.line(0, 'Priority:', spec.priority);
  if (spec.priorityClassName) w.line(0, 'Priority Class Name:', spec.priorityClassName);
  if (spec.runtimeClassName) w.line(0, 'Runtime Class Name:', spec.runtimeClassName);
  if (spec.serviceAccountName) w.line(0, 'Service Account:', spec.serviceAccountName);
  w.line(0, 'Node:', spec.nodeName ? `${spec.nodeName}/${status.hostIP ?? ''}` : '<none>');
  if (status.startTime) w.line(0, 'Start Time:', rfc1123z(status.startTime));
  labelsMultiline(w, 'Labels', pod.metadata?.labels);
  annotationsMultiline(w, 'Annotations', pod.metadata?.annotations);
  if (pod.metadata?.deletionTimestamp && status.phase !== 'Failed' && status.phase !== 'Succeeded') {
    const left = new Date(pod.metadata.deletionTimestamp).getTime() - now;
    w.line(0, 'Status:', `Terminating (lasts ${left < 0 ? '<invalid>' : humanLeft(left)})`);
    w.line(0, 'Termination Grace Period:', `${pod.metadata.deletionGracePeriodSeconds ?? 0}s`);
  } else w.line(0, 'Status:', status.phase ?? '');
  if (status.reason) w.line(0, 'Reason:', status.reason);
  if (status.message) w.line(0, 'Message:', status.message);
  w.line(0, 'IP:', status.podIP ?? '');
  if (!status.podIPs?.length) w.line(0, 'IPs:', '<none>');
  else {
    w.write(0, 'IPs:\n');
    for (const ip of status.podIPs) w.line(1, 'IP:', ip.ip);
  }
  const owner = controlledBy(pod);
  if (owner) w.line(0, 'Controlled By:', owner);
  if (status.nominatedNodeName) w.line(0, 'NominatedNodeName:', status.nominatedNodeName);
  const resolve = podEnvResolver(pod);
  if (spec.initContainers?.length) describeContainers(w, 'Init Containers', spec.initContainers, status.initContainerStatuses ?? [], resolve, '');
  describeContainers(w, 'Containers', spec.containers, status.containerStatuses ?? [], resolve, '');
  if (status.conditions?.length) {
    w.write(0, 'Conditions:\n  Type\tStatus\n');
    for (const c of status.conditions) w.write(1, `${c.type} \t${c.status} \n`);
  }
  describeVolumes(w, spec.volumes, '');
  w.line(0, 'QoS Class:', status.qosClass || qosClass(pod));
  labelsMultiline(w, 'Node-Selectors', spec.nodeSelector);
  tolerationsMultiline(w, 'Tolerations', spec.tolerations);
  describeEvents(w, events, now);
  return w.text();
}

function humanLeft(ms: number): string {
  const s = Math.trunc(ms / 1000);
  return s < 120 ? `${s}s` : `${Math.trunc(s / 60)}m`;
}
