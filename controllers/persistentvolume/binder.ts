// The PersistentVolume binder: Kubernetes' persistentvolume-binder controller, trimmed. One
// queue holds both kinds of key: a claim's key has a namespace, a volume's (cluster-scoped)
// has none. A claim's sync binds it to the best volume (or the one it names), keeps it
// Pending with the reason as an event, or hands it to its class's provisioner; a volume's
// sync keeps its phase and, once its claim is gone, releases and reclaims it (Delete: the
// object is deleted; Retain: it stays Released). Every write carries the resourceVersion it
// was decided on; a conflict is retried by the queue, on fresher objects.

import { isDeepStrictEqual } from 'node:util';
import type { Informer } from '../../common/client/informer.js';
import { rfc3339 } from '../../common/clock.js';
import { ControllerBase, type ControllerDeps } from '../../common/controller/base.js';
import { NotLeaderError } from '../../common/controller/fencedApi.js';
import { keyString, type InformerSource, type ObjectKey } from '../../common/controller/types.js';
import { NotFoundError } from '../../common/errors.js';
import { claimBoundTo, claimInPhase, claimStatusBound, volumeBoundTo, volumeInPhase, volumeUnbound } from './binding.js';
import { claimKeyOf, decideClaim, decideVolume } from './decide.js';
import { LatestWrites } from './latest.js';
import { claimClass, volumeClass } from './matching.js';
import { annBetaStorageProvisioner, annBindCompleted, annSelectedNode, annStorageProvisioner, reasons } from './names.js';
import { nodesResource, persistentVolumeClaimsResource, persistentVolumesResource, storageClassesResource } from './resources.js';
import type { Node, PersistentVolume, PersistentVolumeClaim, StorageClass, VolumeEvent } from './types.js';

export const binderControllerName = 'persistentvolume-binder';

export type BinderOptions = ControllerDeps;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const claimKey = (c: PersistentVolumeClaim): ObjectKey => ({ namespace: c.metadata.namespace ?? '', name: c.metadata.name ?? '' });
const volumeKey = (name: string): ObjectKey => ({ name });
const unbound = (c: PersistentVolumeClaim): boolean => c.metadata.annotations?.[annBindCompleted] === undefined;

export class PersistentVolumeBinder extends ControllerBase {
  private claims: Informer<PersistentVolumeClaim> | undefined;
  private volumes: Informer<PersistentVolume> | undefined;
  private classes: Informer<StorageClass> | undefined;
  private nodes: Informer<Node> | undefined;
  private enqueue: (key: ObjectKey) => void = () => undefined;
  private readonly claimWrites = new LatestWrites<PersistentVolumeClaim>();
  private readonly volumeWrites = new LatestWrites<PersistentVolume>();

  constructor(opts: BinderOptions) {
    super({ name: binderControllerName, defaultWorkers: 2 }, opts);
  }

  watch(source: InformerSource, enqueue: (key: ObjectKey) => void): void {
    this.enqueue = enqueue;
    const claims = (this.claims = source.informer<PersistentVolumeClaim>(persistentVolumeClaimsResource));
    const volumes = (this.volumes = source.informer<PersistentVolume>(persistentVolumesResource));
    const classes = (this.classes = source.informer<StorageClass>(storageClassesResource));
    const nodes = (this.nodes = source.informer<Node>(nodesResource));
    /** Unbound claims that `pred` picks: they may now find a volume. */
    const unboundClaims = (pred: (c: PersistentVolumeClaim) => boolean): void => {
      for (const c of claims.store.list()) if (unbound(c) && pred(c)) enqueue(claimKey(c));
    };

    const onClaim = (c: PersistentVolumeClaim): void => {
      enqueue(claimKey(c));
      // Its volume learns about a deleted (or rebound) claim through its own sync.
      if (c.spec?.volumeName) enqueue(volumeKey(c.spec.volumeName));
    };
    claims.addEventHandler({
      onAdd: onClaim,
      onUpdate: (old, c) => {
        onClaim(c);
        if (old.spec?.volumeName && old.spec.volumeName !== c.spec?.volumeName) enqueue(volumeKey(old.spec.volumeName));
      },
      onDelete: (c) => {
        onClaim(c);
        for (const v of volumes.store.list()) {
          const k = claimKeyOf(v);
          if (k && k.namespace === c.metadata.namespace && k.name === c.metadata.name) enqueue(volumeKey(v.metadata.name ?? ''));
        }
      },
    });

    const onVolume = (v: PersistentVolume): void => {
      enqueue(volumeKey(v.metadata.name ?? ''));
      const k = claimKeyOf(v);
      if (k) enqueue(k);
      // A free volume is a candidate for every waiting claim of its class.
      else if (v.status?.phase === 'Available') unboundClaims((c) => claimClass(c) === volumeClass(v));
    };
    volumes.addEventHandler({ onAdd: onVolume, onUpdate: (_old, v) => onVolume(v), onDelete: onVolume });

    const onClass = (sc: StorageClass): void => unboundClaims((c) => claimClass(c) === sc.metadata.name);
    classes.addEventHandler({ onAdd: onClass, onUpdate: (_o, sc) => onClass(sc), onDelete: onClass });
    // A delayed claim's node may arrive (or get its labels) after the scheduler chose it.
    const onNode = (n: Node): void => unboundClaims((c) => c.metadata.annotations?.[annSelectedNode] === n.metadata.name);
    nodes.addEventHandler({ onAdd: onNode, onUpdate: (old, n) => !isDeepStrictEqual(old.metadata.labels, n.metadata.labels) && onNode(n) });
  }

  async reconcile(key: ObjectKey): Promise<void> {
    if (!this.claims || !this.volumes || !this.classes || !this.nodes) throw new Error('the PersistentVolume binder reconciled before watch() wired its informers');
    if (key.namespace !== undefined) await this.syncClaim(key);
    else await this.syncVolume(key.name);
  }

  private claim(key: string): PersistentVolumeClaim | undefined {
    return this.claimWrites.freshest(key, this.claims!.store.get(key));
  }

  private volume(name: string): PersistentVolume | undefined {
    return this.volumeWrites.freshest(name, this.volumes!.store.get(name));
  }

  private record(obj: PersistentVolume | PersistentVolumeClaim, e: VolumeEvent): void {
    this.events.event(obj, e.type, e.reason, e.message);
  }

  private async syncClaim(key: ObjectKey): Promise<void> {
    const k = keyString(key);
    const claim = this.claim(k);
    if (!claim) return;
    const className = claimClass(claim);
    const storageClass = className ? this.classes!.store.get(className) : undefined;
    const volumes = this.volumes!.store.keys().flatMap((name) => this.volume(name) ?? []);
    const decision = decideClaim({ claim, volumes, storageClass, node: (n) => this.nodes!.store.get(n) });
    switch (decision.kind) {
      case 'bind':
        await this.bind(claim, decision.volume);
        return;
      case 'lost': {
        this.record(claim, decision.event);
        const lost = claimInPhase(claim, 'Lost');
        if (lost) this.claimWrites.remember(k, await this.api.updateStatus(persistentVolumeClaimsResource, lost));
        return;
      }
      case 'pending': {
        if (decision.event) this.record(claim, decision.event);
        let c = claim;
        const ann = c.metadata.annotations ?? {};
        if (decision.provisioner && (ann[annStorageProvisioner] !== decision.provisioner || ann[annBetaStorageProvisioner] !== decision.provisioner)) {
          const next = { ...c, metadata: { ...c.metadata, annotations: { ...ann, [annStorageProvisioner]: decision.provisioner, [annBetaStorageProvisioner]: decision.provisioner } } };
          c = this.claimWrites.remember(k, await this.api.update(persistentVolumeClaimsResource, next));
        }
        const pending = claimInPhase(c, 'Pending');
        if (pending) this.claimWrites.remember(k, await this.api.updateStatus(persistentVolumeClaimsResource, pending));
        return;
      }
    }
  }

  /** The four writes of a bind, each skipped when already done; a conflict throws and the queue retries. */
  private async bind(claim: PersistentVolumeClaim, volume: PersistentVolume): Promise<void> {
    const ck = keyString(claimKey(claim));
    const vk = volume.metadata.name ?? '';
    let v = volume;
    let c = claim;
    let wrote = false;
    const bound = volumeBoundTo(v, c);
    if (bound) {
      v = this.volumeWrites.remember(vk, await this.api.update(persistentVolumesResource, bound));
      wrote = true;
    }
    const phased = volumeInPhase(v, 'Bound', rfc3339(this.clock.now()));
    if (phased) v = this.volumeWrites.remember(vk, await this.api.updateStatus(persistentVolumesResource, phased));
    const named = claimBoundTo(c, v);
    if (named) {
      c = this.claimWrites.remember(ck, await this.api.update(persistentVolumeClaimsResource, named));
      wrote = true;
    }
    const status = claimStatusBound(c, v);
    if (status) c = this.claimWrites.remember(ck, await this.api.updateStatus(persistentVolumeClaimsResource, status));
    if (wrote) this.logger.info('bound claim to volume', { claim: ck, volume: vk });
  }

  /** The claim a volume's claimRef names, from the cache or, when the cache has none, from the API server. */
  private async claimOf(volume: PersistentVolume): Promise<PersistentVolumeClaim | undefined> {
    const ref = claimKeyOf(volume);
    if (!ref) return undefined;
    const cached = this.claim(`${ref.namespace}/${ref.name}`);
    const uid = volume.spec?.claimRef?.uid;
    if (!uid || cached?.metadata.uid === uid) return cached;
    // A lagging cache must not release a volume whose claim was just made (a provisioned one).
    try {
      return await this.api.get<PersistentVolumeClaim>(persistentVolumeClaimsResource, ref.namespace, ref.name);
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  private async syncVolume(name: string): Promise<void> {
    const volume = this.volume(name);
    if (!volume) return;
    const now = rfc3339(this.clock.now());
    const decision = decideVolume(volume, await this.claimOf(volume));
    switch (decision.kind) {
      case 'none':
        return;
      case 'phase': {
        const next = volumeInPhase(volume, decision.phase, now);
        if (next) this.volumeWrites.remember(name, await this.api.updateStatus(persistentVolumesResource, next));
        return;
      }
      case 'unbind': {
        const v = this.volumeWrites.remember(name, await this.api.update(persistentVolumesResource, volumeUnbound(volume)));
        const next = volumeInPhase(v, 'Available', now);
        if (next) this.volumeWrites.remember(name, await this.api.updateStatus(persistentVolumesResource, next));
        this.logger.info('unbound volume from a claim bound elsewhere', { volume: name });
        return;
      }
      case 'syncClaim': {
        for (const { on, event } of decision.events) {
          if (on === 'volume') this.record(volume, event);
          else {
            const c = await this.claimOf(volume);
            if (c) this.record(c, event);
          }
        }
        const k = claimKeyOf(volume);
        if (k) this.enqueue(k);
        return;
      }
      case 'release':
        await this.release(volume, decision.reclaim, now);
        return;
    }
  }

  private async release(volume: PersistentVolume, reclaim: string, now: string): Promise<void> {
    const name = volume.metadata.name ?? '';
    let v = volume;
    const released = volumeInPhase(v, v.status?.phase === 'Failed' ? 'Failed' : 'Released', now);
    if (released) {
      v = this.volumeWrites.remember(name, await this.api.updateStatus(persistentVolumesResource, released));
      this.logger.info('volume released', { volume: name, reclaimPolicy: reclaim });
    }
    if (reclaim === 'Recycle') {
      this.record(v, { type: 'Warning', reason: 'VolumeFailedRecycle', message: 'Recycle is not supported: the volume is kept Released' });
      return;
    }
    if (reclaim !== 'Delete' || v.metadata.deletionTimestamp) return;
    try {
      await this.api.delete(persistentVolumesResource, undefined, name, { preconditions: { uid: v.metadata.uid } });
      this.logger.info('deleted released volume (reclaim policy Delete)', { volume: name });
    } catch (e) {
      if (e instanceof NotFoundError) return;
      if (!(e instanceof NotLeaderError)) this.record(v, { type: 'Warning', reason: reasons.volumeFailedDelete, message: message(e) });
      throw e;
    }
  }
}
