// The ServiceAccount controller's decision, from its caches to the one create it makes.

import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import type { ResourceDescriptor } from '../../common/api/resources.js';
import type { Api } from '../../common/client/api.js';
import { Informer, objectKey, type InformedObject } from '../../common/client/informer.js';
import type { RestClient } from '../../common/client/restClient.js';
import { realClock } from '../../common/clock.js';
import type { InformerSource } from '../../common/controller/types.js';
import { AlreadyExistsError, ForbiddenError } from '../../common/errors.js';
import { silentLogger } from '../../common/logging.js';
import { ServiceAccountController } from './serviceAccountController.js';

/** Informers never started: their stores are filled by the test. */
function storesSource(objs: Record<string, KubeObject[]>): InformerSource {
  return {
    informer<T extends InformedObject>(r: ResourceDescriptor): Informer<T> {
      const inf = new Informer<KubeObject>({ client: {} as RestClient, path: `/${r.plural}` });
      for (const o of objs[r.plural] ?? []) inf.store.set(objectKey(o), o);
      return inf as unknown as Informer<T>;
    },
  };
}

function fakeApi(created: string[], fail?: Error): Api {
  return {
    create: async (r: ResourceDescriptor, ns: string | undefined, obj: KubeObject) => {
      if (fail) throw fail;
      created.push(`${r.plural}/${ns}/${obj.metadata.name}`);
      return obj;
    },
  } as unknown as Api;
}

const ns = (name: string, over: Partial<KubeObject['metadata']> = {}, phase = 'Active'): KubeObject => ({ metadata: { name, ...over }, status: { phase } });
const sa = (namespace: string, over: Partial<KubeObject['metadata']> = {}): KubeObject => ({ metadata: { name: 'default', namespace, ...over } });

describe('ServiceAccount controller', () => {
  const cases: { name: string; namespaces: KubeObject[]; serviceaccounts?: KubeObject[]; fail?: Error; created: string[] }[] = [
    { name: 'an active namespace without one gets one', namespaces: [ns('a')], created: ['serviceaccounts/a/default'] },
    { name: 'a namespace that has one gets nothing', namespaces: [ns('a')], serviceaccounts: [sa('a')], created: [] },
    { name: 'a namespace being deleted gets none', namespaces: [ns('a', { deletionTimestamp: '2026-01-01T00:00:00Z' })], created: [] },
    { name: 'a namespace in phase Terminating gets none', namespaces: [ns('a', {}, 'Terminating')], created: [] },
    { name: 'a namespace that is gone gets none', namespaces: [], created: [] },
    { name: 'one still being deleted is waited for (its delete event comes)', namespaces: [ns('a')], serviceaccounts: [sa('a', { deletionTimestamp: '2026-01-01T00:00:00Z' })], created: [] },
    { name: 'AlreadyExists (the cache lagged) is not a failure', namespaces: [ns('a')], fail: new AlreadyExistsError({ resource: 'serviceaccounts', name: 'default' }), created: [] },
    { name: 'Forbidden (the namespace began terminating) is not a failure', namespaces: [ns('a')], fail: new ForbiddenError('being terminated'), created: [] },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const created: string[] = [];
      const c = new ServiceAccountController({ api: fakeApi(created, tc.fail), recorder: { event: () => undefined }, clock: realClock, logger: silentLogger() });
      c.watch(storesSource({ namespaces: tc.namespaces, serviceaccounts: tc.serviceaccounts ?? [] }), () => undefined);
      await c.reconcile({ name: 'a' });
      expect(created).to.deep.equal(tc.created);
    });
  }
});
