// The pvc-protection and pv-protection controllers: each keeps its finalizer on objects not
// being deleted and removes it from a deleted one once nothing holds it (protection.ts). A
// claim's last check before the removal lists the namespace's pods from the API server, not
// the cache: a pod the cache has not shown yet must not lose its data.

import type { Api } from '../../common/client/api.js';
import type { Informer } from '../../common/client/informer.js';
import { namespaceIndex, indexers } from '../../common/controller/indexers.js';
import { keyString, type ControllerRegistration, type InformerSource, type ObjectKey, type Reconciler } from '../../common/controller/types.js';
import type { Logger } from '../../common/logging.js';
import { pvcProtectionFinalizer, pvProtectionFinalizer } from './names.js';
import { claimNamesOf, claimProtectionStep, volumeProtectionStep, withFinalizer } from './protection.js';
import { persistentVolumeClaimsResource, persistentVolumesResource, podsResource } from './resources.js';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from './types.js';

export const pvcProtectionControllerName = 'pvc-protection';
export const pvProtectionControllerName = 'pv-protection';

export interface ProtectionOptions {
  api: Api;
  logger: Logger;
  workers?: number;
}

export class PvcProtectionController implements Reconciler {
  private claims: Informer<PersistentVolumeClaim> | undefined;
  private pods: Informer<Pod> | undefined;
  private readonly logger: Logger;

  constructor(private readonly opts: ProtectionOptions) {
    this.logger = opts.logger.child({ controller: pvcProtectionControllerName });
  }

  registration(): ControllerRegistration {
    return { name: pvcProtectionControllerName, reconciler: this, workers: this.opts.workers ?? 1, watch: (s, e) => this.watch(s, e) };
  }

  watch(source: InformerSource, enqueue: (key: ObjectKey) => void): void {
    this.claims = source.informer<PersistentVolumeClaim>(persistentVolumeClaimsResource);
    this.pods = source.informer<Pod>(podsResource, { indexers: indexers(namespaceIndex) });
    const onClaim = (c: PersistentVolumeClaim): void => enqueue({ namespace: c.metadata.namespace ?? '', name: c.metadata.name ?? '' });
    this.claims.addEventHandler({ onAdd: onClaim, onUpdate: (_o, c) => onClaim(c), onDelete: () => undefined });
    // A pod that stops (finishes, or goes) may free the claims it used.
    const onPod = (p: Pod): void => {
      for (const name of claimNamesOf(p)) enqueue({ namespace: p.metadata.namespace ?? '', name });
    };
    this.pods.addEventHandler({ onAdd: () => undefined, onUpdate: (_o, p) => onPod(p), onDelete: onPod });
  }

  async reconcile(key: ObjectKey): Promise<void> {
    if (!this.claims || !this.pods) throw new Error('the pvc-protection controller reconciled before watch() wired its informers');
    const claim = this.claims.store.get(keyString(key));
    if (!claim) return;
    const ns = claim.metadata.namespace ?? '';
    let step = claimProtectionStep(claim, this.pods.store.byIndex(namespaceIndex, ns));
    if (step === 'remove') step = claimProtectionStep(claim, (await this.opts.api.list<Pod>(podsResource, ns)).items);
    if (step === 'keep') this.logger.debug('claim being deleted is still used by a pod', { key: keyString(key) });
    if (step !== 'add' && step !== 'remove') return;
    await this.opts.api.update(persistentVolumeClaimsResource, withFinalizer(claim, pvcProtectionFinalizer, step === 'add'));
    if (step === 'remove') this.logger.info('removed the protection finalizer of a claim no pod uses', { key: keyString(key) });
  }
}

export class PvProtectionController implements Reconciler {
  private volumes: Informer<PersistentVolume> | undefined;
  private readonly logger: Logger;

  constructor(private readonly opts: ProtectionOptions) {
    this.logger = opts.logger.child({ controller: pvProtectionControllerName });
  }

  registration(): ControllerRegistration {
    return { name: pvProtectionControllerName, reconciler: this, workers: this.opts.workers ?? 1, watch: (s, e) => this.watch(s, e) };
  }

  watch(source: InformerSource, enqueue: (key: ObjectKey) => void): void {
    this.volumes = source.informer<PersistentVolume>(persistentVolumesResource);
    const onVolume = (v: PersistentVolume): void => enqueue({ name: v.metadata.name ?? '' });
    this.volumes.addEventHandler({ onAdd: onVolume, onUpdate: (_o, v) => onVolume(v), onDelete: () => undefined });
  }

  async reconcile(key: ObjectKey): Promise<void> {
    if (!this.volumes) throw new Error('the pv-protection controller reconciled before watch() wired its informers');
    const volume = this.volumes.store.get(key.name);
    if (!volume) return;
    const step = volumeProtectionStep(volume);
    if (step !== 'add' && step !== 'remove') return;
    await this.opts.api.update(persistentVolumesResource, withFinalizer(volume, pvProtectionFinalizer, step === 'add'));
    if (step === 'remove') this.logger.info('removed the protection finalizer of a volume no longer Bound', { volume: key.name });
  }
}
