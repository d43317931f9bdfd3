// Which objects a StatefulSet takes as its own, as Kubernetes' controller-ref managers decide
// (no I/O): those it controls that still match; matching orphans it adopts; those it controls
// that stopped matching it releases. Pods match by the selector and by a name
// `<set>-<ordinal>`; ControllerRevisions by the selector alone. A set being deleted neither
// adopts nor releases, and nothing terminating is adopted.

import { controllerOf } from '../../common/api/ownerRefs.js';
import type { KubeObject } from '../../common/api/meta.js';
import type { LabelSelector } from '../../common/selectors/labels.js';
import type { StatefulSet } from './types.js';

export interface Claim<T extends KubeObject> {
  owned: T[];
  adopt: T[];
  release: T[];
}

export function claimObjects<T extends KubeObject>(set: StatefulSet, selector: LabelSelector, objects: readonly T[], member: (o: T) => boolean = () => true): Claim<T> {
  const out: Claim<T> = { owned: [], adopt: [], release: [] };
  const deleting = !!set.metadata.deletionTimestamp;
  for (const o of objects) {
    const ref = controllerOf(o);
    const matches = selector.matches(o.metadata.labels) && member(o);
    if (ref) {
      if (ref.uid !== set.metadata.uid) continue;
      if (matches) out.owned.push(o);
      else if (!deleting) out.release.push(o);
      continue;
    }
    if (matches && !deleting && !o.metadata.deletionTimestamp) out.adopt.push(o);
  }
  return out;
}
