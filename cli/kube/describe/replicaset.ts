// `describe replicaset`: replicas, the phases of the pods it controls, its pod template and events.

import { formatLabelSelectorObject } from '../../../common/selectors/labels.js';
import { describePodTemplate } from './containers.js';
import { annotationsMultiline, controlledBy, describeEvents, labelsMultiline } from './fields.js';
import { DescribeWriter } from './tabwriter.js';
import type { CoreEvent, Pod, ReplicaSet } from './wire.js';

export function describeReplicaSet(rs: ReplicaSet, pods: Pod[], events: CoreEvent[] | undefined, now = Date.now()): string {
  const w = new DescribeWriter();
  w.line(0, 'Name:', rs.metadata?.name ?? '');
  w.line(0, 'Namespace:', rs.metadata?.namespace ?? '');
  w.line(0, 'Selector:', formatLabelSelectorObject(rs.spec?.selector));
  labelsMultiline(w, 'Labels', rs.metadata?.labels);
  annotationsMultiline(w, 'Annotations', rs.metadata?.annotations);
  const owner = controlledBy(rs);
  if (owner) w.line(0, 'Controlled By:', owner);
  w.line(0, 'Replicas:', `${rs.status?.replicas ?? 0} current / ${rs.spec?.replicas ?? 1} desired`);
  const mine = pods.filter((p) => p.metadata?.ownerReferences?.some((r) => r.controller && r.uid === rs.metadata?.uid));
  const count = (phase: string): number => mine.filter((p) => p.status?.phase === phase).length;
  w.line(0, 'Pods Status:', `${count('Running')} Running / ${count('Pending')} Waiting / ${count('Succeeded')} Succeeded / ${count('Failed')} Failed`);
  describePodTemplate(w, rs.spec?.template);
  describeEvents(w, events, now);
  return w.text();
}
