// `describe deployment`: replicas, strategy, the pod template, rollout conditions, the old
// and new ReplicaSets (those it controls; the new one is the one whose template is the
// deployment's, pod-template-hash aside) and events.

import { formatLabelSelectorObject } from '../../../common/selectors/labels.js';
import { describePodTemplate } from './containers.js';
import { annotationsMultiline, describeEvents, labelsMultiline, rfc1123z } from './fields.js';
import { DescribeWriter } from './tabwriter.js';
import type { CoreEvent, Deployment, PodTemplate, ReplicaSet } from './wire.js';

/** JSON with object keys sorted, so two templates compare by content. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function withoutHash(t: PodTemplate | undefined): PodTemplate {
  const labels = { ...(t?.metadata?.labels ?? {}) };
  delete labels['pod-template-hash'];
  return { ...t, metadata: { ...t?.metadata, labels } };
}

export function sameTemplate(a: PodTemplate | undefined, b: PodTemplate | undefined): boolean {
  return canonical(withoutHash(a)) === canonical(withoutHash(b));
}

/** The ReplicaSets a deployment controls, split into the new one (if any) and the old ones. */
export function splitReplicaSets(d: Deployment, all: ReplicaSet[]): { newRS?: ReplicaSet; old: ReplicaSet[] } {
  const owned = all.filter((rs) => rs.metadata?.ownerReferences?.some((r) => r.controller && r.uid === d.metadata?.uid));
  const newRS = owned.filter((rs) => sameTemplate(rs.spec?.template, d.spec?.template)).sort((a, b) => String(a.metadata?.creationTimestamp).localeCompare(String(b.metadata?.creationTimestamp)))[0];
  return { ...(newRS ? { newRS } : {}), old: owned.filter((rs) => rs !== newRS) };
}

function replicaSetsText(list: ReplicaSet[]): string {
  if (!list.length) return '<none>';
  return list.map((rs) => `${rs.metadata?.name} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 0} replicas created)`).join(', ');
}

function intOrString(v: number | string | undefined): string {
  return v === undefined ? '' : String(v);
}

export function describeDeployment(d: Deployment, replicaSets: ReplicaSet[], events: CoreEvent[] | undefined, now = Date.now()): string {
  const w = new DescribeWriter();
  const spec = d.spec ?? {};
  const st = d.status ?? {};
  w.line(0, 'Name:', d.metadata?.name ?? '');
  w.line(0, 'Namespace:', d.metadata?.namespace ?? '');
  w.line(0, 'CreationTimestamp:', rfc1123z(d.metadata?.creationTimestamp));
  labelsMultiline(w, 'Labels', d.metadata?.labels);
  annotationsMultiline(w, 'Annotations', d.metadata?.annotations);
  w.line(0, 'Selector:', formatLabelSelectorObject(spec.selector));
  w.line(0, 'Replicas:', `${spec.replicas ?? 1} desired | ${st.updatedReplicas ?? 0} updated | ${st.replicas ?? 0} total | ${st.availableReplicas ?? 0} available | ${st.unavailableReplicas ?? 0} unavailable`);
  w.line(0, 'StrategyType:', spec.strategy?.type ?? '');
  w.line(0, 'MinReadySeconds:', spec.minReadySeconds ?? 0);
  const ru = spec.strategy?.rollingUpdate;
  if (ru) w.line(0, 'RollingUpdateStrategy:', `${intOrString(ru.maxUnavailable)} max unavailable, ${intOrString(ru.maxSurge)} max surge`);
  describePodTemplate(w, spec.template);
  if (st.conditions?.length) {
    w.write(0, 'Conditions:\n  Type\tStatus\tReason\n');
    w.write(1, '----\t------\t------\n');
    for (const c of st.conditions) w.write(1, `${c.type} \t${c.status}\t${c.reason ?? ''}\n`);
  }
  const { newRS, old } = splitReplicaSets(d, replicaSets);
  w.line(0, 'OldReplicaSets:', replicaSetsText(old));
  w.line(0, 'NewReplicaSet:', replicaSetsText(newRS ? [newRS] : []));
  describeEvents(w, events, now);
  return w.text();
}
