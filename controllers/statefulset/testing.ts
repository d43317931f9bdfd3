// Builders for the StatefulSet controller's tests: a set, its pods in a given state, claims.

import { newClaim, newPod } from './identity.js';
import type { Revision } from './revisions.js';
import type { PersistentVolumeClaim, Pod, PodTemplate, StatefulSet, StatefulSetSpec } from './types.js';

export class StatefulSetBuilder {
  private readonly set: StatefulSet;

  constructor(name: string) {
    this.set = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name, namespace: 'default', uid: `${name}-uid`, generation: 1 },
      spec: {
        replicas: 3,
        serviceName: name,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } },
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        revisionHistoryLimit: 10,
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      },
    };
  }

  private get spec(): StatefulSetSpec {
    return this.set.spec!;
  }

  replicas(n: number): this {
    this.spec.replicas = n;
    return this;
  }
  parallel(): this {
    this.spec.podManagementPolicy = 'Parallel';
    return this;
  }
  start(n: number): this {
    this.spec.ordinals = { start: n };
    return this;
  }
  minReadySeconds(n: number): this {
    this.spec.minReadySeconds = n;
    return this;
  }
  partition(n: number): this {
    this.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { ...(this.spec.updateStrategy?.rollingUpdate ?? {}), partition: n } };
    return this;
  }
  maxUnavailable(v: number | string): this {
    this.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { ...(this.spec.updateStrategy?.rollingUpdate ?? {}), maxUnavailable: v } };
    return this;
  }
  onDelete(): this {
    this.spec.updateStrategy = { type: 'OnDelete' };
    return this;
  }
  claim(name: string): this {
    (this.spec.volumeClaimTemplates ??= []).push({ metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    return this;
  }
  retention(whenDeleted: 'Retain' | 'Delete', whenScaled: 'Retain' | 'Delete'): this {
    this.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted, whenScaled };
    return this;
  }
  image(image: string): this {
    (this.spec.template!.spec as { containers: { image: string }[] }).containers[0]!.image = image;
    return this;
  }
  deleting(): this {
    this.set.metadata.deletionTimestamp = '2026-12-07T09:00:00Z';
    return this;
  }
  obj(): StatefulSet {
    return structuredClone(this.set);
  }
}

export const makeStatefulSet = (name = 'web'): StatefulSetBuilder => new StatefulSetBuilder(name);

export type PodState = 'ready' | 'pending' | 'running' | 'failed' | 'succeeded' | 'terminating';

/** The pod of `ordinal` as the controller makes it, then in `state` (ready since `readySince`). */
export function stsPod(set: StatefulSet, ordinal: number, revision: Revision, state: PodState = 'ready', readySince = '2026-12-07T09:00:00Z'): Pod {
  const p = newPod(set, revision.template, ordinal, revision.name);
  p.metadata.uid = `${p.metadata.name ?? ''}-uid`;
  p.metadata.resourceVersion = '7';
  const ready = { type: 'Ready', status: 'True', lastTransitionTime: readySince };
  const notReady = { type: 'Ready', status: 'False', lastTransitionTime: readySince };
  if (state === 'ready' || state === 'terminating') p.status = { phase: 'Running', conditions: [ready] };
  else if (state === 'running') p.status = { phase: 'Running', conditions: [notReady] };
  else if (state === 'pending') p.status = { phase: 'Pending' };
  else p.status = { phase: state === 'failed' ? 'Failed' : 'Succeeded' };
  if (state === 'terminating') p.metadata.deletionTimestamp = '2026-12-07T09:59:00Z';
  return p;
}

/** The claim of `template` for `ordinal`, as made (and stored: a uid and resourceVersion). */
export function stsClaim(set: StatefulSet, template: string, ordinal: number): PersistentVolumeClaim {
  const t = set.spec?.volumeClaimTemplates?.find((c) => c.metadata?.name === template);
  if (!t) throw new Error(`no claim template ${template}`);
  const c = newClaim(set, t, ordinal);
  c.metadata.uid = `${c.metadata.name ?? ''}-uid`;
  c.metadata.resourceVersion = '3';
  return c;
}

/** A revision of `set`'s template (or `template`) by name. */
export function revision(name: string, set: StatefulSet, template?: PodTemplate): Revision {
  return { name, template: structuredClone(template ?? set.spec?.template ?? {}) };
}
