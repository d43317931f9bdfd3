// One sync of one Deployment: the newest copy of it (every write returns the object the server
// stored, so a sync's later writes never conflict with its earlier ones) and the writes a sync
// makes, each with the Event users know. Writes of ReplicaSets carry their resourceVersion: a
// decision taken on a stale cache fails with a Conflict and the key is retried.

import type { Api } from '../../common/client/api.js';
import type { Clock } from '../../common/clock.js';
import type { EventRecorder } from '../../common/controller/types.js';
import { NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import { maxSurge } from './fenceposts.js';
import { canonicalJson } from './hash.js';
import { replicasAnnotationsNeedUpdate, setReplicasAnnotations } from './revisions.js';
import { annotations, deploymentReplicas, deploymentsResource, replicaSetsResource, rsReplicas, type Deployment, type DeploymentStatus, type ReplicaSet } from './types.js';

export interface SyncDeps {
  api: Api;
  events: EventRecorder;
  clock: Clock;
  logger: Logger;
}

export class SyncContext {
  constructor(
    readonly deps: SyncDeps,
    /** The Deployment as last read or written. */
    public d: Deployment,
  ) {}

  now(): number {
    return this.deps.clock.now();
  }

  /** Writes `status` unless it equals what the Deployment has. */
  async writeStatus(status: DeploymentStatus): Promise<void> {
    if (canonicalJson(this.d.status ?? {}) === canonicalJson(status)) return;
    this.d = await this.deps.api.updateStatus<Deployment>(deploymentsResource, { ...this.d, status });
  }

  /** Records the revision of the new ReplicaSet on the Deployment itself. */
  async setDeploymentRevision(revision: string | undefined): Promise<void> {
    if (revision === undefined || this.d.metadata.annotations?.[annotations.revision] === revision) return;
    const next = structuredClone(this.d);
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [annotations.revision]: revision };
    this.d = await this.deps.api.update<Deployment>(deploymentsResource, next);
  }

  async updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    return this.deps.api.update<ReplicaSet>(replicaSetsResource, rs);
  }

  /**
   * Sets a ReplicaSet's size and its desired/max-replicas annotations (written even when the
   * size stays, for proportional scaling). Returns the stored ReplicaSet and whether its size changed.
   */
  async scaleReplicaSet(rs: ReplicaSet, size: number): Promise<{ rs: ReplicaSet; scaled: boolean }> {
    const desired = deploymentReplicas(this.d);
    const max = desired + maxSurge(this.d);
    const from = rsReplicas(rs);
    if (from === size && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { rs, scaled: false };
    const next = structuredClone(rs);
    next.spec.replicas = size;
    setReplicasAnnotations(next, desired, max);
    const stored = await this.updateReplicaSet(next);
    if (from !== size) {
      this.deps.events.event(this.d, 'Normal', 'ScalingReplicaSet', `Scaled ${size > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${size}`);
      this.deps.logger.debug('scaled replica set', { replicaSet: rs.metadata.name, from, to: size });
    }
    return { rs: stored, scaled: from !== size };
  }

  /** scaleReplicaSet for a rollout step: only when the size changes. */
  async scaleForRollout(rs: ReplicaSet, size: number): Promise<{ rs: ReplicaSet; scaled: boolean }> {
    if (rsReplicas(rs) === size) return { rs, scaled: false };
    return this.scaleReplicaSet(rs, size);
  }

  async deleteReplicaSet(rs: ReplicaSet): Promise<void> {
    try {
      await this.deps.api.delete(replicaSetsResource, rs.metadata.namespace, rs.metadata.name ?? '', { preconditions: rs.metadata.uid ? { uid: rs.metadata.uid } : undefined, propagationPolicy: 'Background' });
      this.deps.logger.debug('deleted old replica set beyond revisionHistoryLimit', { replicaSet: rs.metadata.name });
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
  }
}
