// VolumeListers over the scheduler's PersistentVolumeClaim, PersistentVolume and
// StorageClass informers: look-ups in their stores (volumes indexed by class), never an API
// call in a scheduling cycle, and change notifications for what waits on a claim to be bound
// (VolumeBinding's PreBind). The informers also feed the scheduling queue: a claim, volume or
// class added or changed may make a pod VolumeBinding rejected schedulable.

import type { Logger } from '../../common/logging.js';
import { Informer } from '../../common/client/informer.js';
import type { RestClient } from '../../common/client/restClient.js';
import type { ClusterEvent } from '../framework/interfaces.js';
import type { VolumeListers } from '../framework/listers.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../framework/types.js';

export const volumeClassIndex = 'storageClassName';

export interface VolumeInformers {
  claims: Informer<PersistentVolumeClaim>;
  volumes: Informer<PersistentVolume>;
  classes: Informer<StorageClass>;
}

export function volumeInformers(client: RestClient, logger: Logger): VolumeInformers {
  return {
    claims: new Informer<PersistentVolumeClaim>({ client, path: '/api/v1/persistentvolumeclaims', logger }),
    volumes: new Informer<PersistentVolume>({ client, path: '/api/v1/persistentvolumes', logger, indexers: { [volumeClassIndex]: (v) => [v.spec?.storageClassName ?? ''] } }),
    classes: new Informer<StorageClass>({ client, path: '/apis/storage.k8s.io/v1/storageclasses', logger }),
  };
}

type StorageEvent = Extract<ClusterEvent, 'PvcAdd' | 'PvcUpdate' | 'PvAdd' | 'PvUpdate' | 'StorageClassAdd' | 'StorageClassUpdate'>;

/** Listers over the informers' stores; onChange subscribers hear of every claim and volume change, deletes included. */
export function storeVolumes(inf: VolumeInformers): VolumeListers {
  const subscribers = new Set<() => void>();
  const notify = (): void => {
    for (const fn of [...subscribers]) fn();
  };
  inf.claims.addEventHandler({ onAdd: notify, onUpdate: notify, onDelete: notify });
  inf.volumes.addEventHandler({ onAdd: notify, onUpdate: notify, onDelete: notify });
  return {
    claim: (ns, name) => inf.claims.store.get(`${ns}/${name}`),
    volume: (name) => inf.volumes.store.get(name),
    volumesOfClass: (className) => inf.volumes.store.byIndex(volumeClassIndex, className),
    storageClass: (name) => inf.classes.store.get(name),
    onChange: (fn) => {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
  };
}

/** Every add and update of a claim, volume or class, as the queue's cluster events. */
export function addStorageEventHandlers(inf: VolumeInformers, onEvent: (e: StorageEvent) => void): void {
  inf.claims.addEventHandler({ onAdd: () => onEvent('PvcAdd'), onUpdate: () => onEvent('PvcUpdate') });
  inf.volumes.addEventHandler({ onAdd: () => onEvent('PvAdd'), onUpdate: () => onEvent('PvUpdate') });
  inf.classes.addEventHandler({ onAdd: () => onEvent('StorageClassAdd'), onUpdate: () => onEvent('StorageClassUpdate') });
}
