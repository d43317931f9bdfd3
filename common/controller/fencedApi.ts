// Leader fencing for a controller's writes, as the scheduler's LeaderFencedBinder fences its
// bindings: a reconcile that started while we led may still be running when the Lease is
// lost; every write checks, just before it is sent, that our last renewal is recent enough
// (LeaderElector.isLeader), so a deposed manager stops writing at once, not at exit.

import type { KubeObject } from '../api/meta.js';
import type { ResourceDescriptor } from '../api/resources.js';
import type { Api, DeleteOpts, ListOpts, ObjectList, PatchOpts, PatchType, UpdateSubresource, WriteOpts } from '../client/api.js';

/** A write refused because this process no longer leads; the key is retried by the next leader. */
export class NotLeaderError extends Error {
  constructor(verb: string, r: ResourceDescriptor) {
    super(`not the leader: refusing to ${verb} ${r.plural}`);
    this.name = 'NotLeaderError';
  }
}

export function fencedApi(api: Api, isLeader: () => boolean): Api {
  const check = (verb: string, r: ResourceDescriptor): void => {
    if (!isLeader()) throw new NotLeaderError(verb, r);
  };
  return {
    get: <T extends KubeObject = KubeObject>(r: ResourceDescriptor, namespace: string | undefined, name: string) => api.get<T>(r, namespace, name),
    list: <T extends KubeObject = KubeObject>(r: ResourceDescriptor, namespace: string | undefined, opts?: ListOpts): Promise<ObjectList<T>> => api.list<T>(r, namespace, opts),
    create: async <T extends KubeObject = KubeObject>(r: ResourceDescriptor, namespace: string | undefined, obj: T, opts?: WriteOpts) => {
      check('create', r);
      return api.create<T>(r, namespace, obj, opts);
    },
    update: async <T extends KubeObject = KubeObject>(r: ResourceDescriptor, obj: T, opts?: WriteOpts) => {
      check('update', r);
      return api.update<T>(r, obj, opts);
    },
    updateStatus: async <T extends KubeObject = KubeObject>(r: ResourceDescriptor, obj: T, opts?: WriteOpts) => {
      check('update status of', r);
      return api.updateStatus<T>(r, obj, opts);
    },
    updateSubresource: async <T extends KubeObject = KubeObject>(r: ResourceDescriptor, obj: T, subresource: UpdateSubresource, opts?: WriteOpts) => {
      check(`update ${subresource} of`, r);
      return api.updateSubresource<T>(r, obj, subresource, opts);
    },
    patch: async <T extends KubeObject = KubeObject>(r: ResourceDescriptor, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts?: PatchOpts) => {
      check('patch', r);
      return api.patch<T>(r, namespace, name, type, patch, opts);
    },
    delete: async (r: ResourceDescriptor, namespace: string | undefined, name: string, opts?: DeleteOpts) => {
      check('delete', r);
      return api.delete(r, namespace, name, opts);
    },
    createSubresource: async (r: ResourceDescriptor, namespace: string | undefined, name: string, subresource: 'binding' | 'eviction', body: KubeObject) => {
      check(`create ${subresource} of`, r);
      return api.createSubresource(r, namespace, name, subresource, body);
    },
  };
}
