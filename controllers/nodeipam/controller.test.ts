// Node IPAM's reconciler with caches that lag behind its writes: no subnet is handed out
// twice, existing podCIDRs (inside or outside the range) are respected, a deleted node's
// subnet is free again, and a full range says so.

import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import type { ResourceDescriptor } from '../../common/api/resources.js';
import type { Api, ObjectList } from '../../common/client/api.js';
import type { EventRecorder } from '../../common/controller/types.js';
import { silentLogger } from '../../common/logging.js';
import { World } from '../nodelifecycle/testing.js';
import type { Node } from '../nodelifecycle/types.js';
import { parseClusterCidr } from './cidrs.js';
import { NodeIpamController } from './controller.js';

/** Records updates without showing them in the cache (the watch has not delivered them yet). */
class LaggingApi implements Api {
  readonly assigned = new Map<string, string>();
  async get<T extends KubeObject = KubeObject>(): Promise<T> {
    throw new Error('not used');
  }
  async list<T extends KubeObject = KubeObject>(): Promise<ObjectList<T>> {
    return { items: [], resourceVersion: '1' };
  }
  async create<T extends KubeObject = KubeObject>(_r: ResourceDescriptor, _ns: string | undefined, obj: T): Promise<T> {
    return obj;
  }
  async update<T extends KubeObject = KubeObject>(_r: ResourceDescriptor, obj: T): Promise<T> {
    this.assigned.set(obj.metadata.name ?? '', (obj as unknown as Node).spec?.podCIDR ?? '');
    return obj;
  }
  async updateStatus<T extends KubeObject = KubeObject>(_r: ResourceDescriptor, obj: T): Promise<T> {
    return obj;
  }
  async updateSubresource<T extends KubeObject = KubeObject>(_r: ResourceDescriptor, obj: T): Promise<T> {
    return obj;
  }
  async patch<T extends KubeObject = KubeObject>(): Promise<T> {
    throw new Error('not used');
  }
  async delete(): Promise<KubeObject | undefined> {
    return undefined;
  }
  async createSubresource(): Promise<void> {}
}

const node = (name: string, podCIDR?: string): Node => ({ metadata: { name }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} });

function setUp(cidr: string, mask: number, nodes: Node[]): { world: World; api: LaggingApi; c: NodeIpamController; warnings: string[] } {
  const world = new World();
  const api = new LaggingApi();
  const warnings: string[] = [];
  const events: EventRecorder = { event: (_o, type, reason) => void (type === 'Warning' && warnings.push(reason)) };
  const c = new NodeIpamController({ api, events, logger: silentLogger(), cidr: parseClusterCidr(cidr, mask) });
  c.registration().watch(world, () => undefined, () => undefined);
  for (const n of nodes) world.put('nodes', n);
  return { world, api, c, warnings };
}

describe('NodeIpamController', () => {
  it('hands out distinct subnets while the cache has not caught up, skipping taken ones', async () => {
    const s = setUp('10.244.0.0/16', 24, [node('a'), node('b'), node('c', '10.244.0.0/24'), node('d', '10.88.0.0/16'), node('e')]);
    for (const n of ['a', 'b', 'c', 'd', 'e']) await s.c.reconcile({ name: n });
    expect(Object.fromEntries(s.api.assigned)).to.deep.equal({ a: '10.244.1.0/24', b: '10.244.2.0/24', e: '10.244.3.0/24' });
    // Reconciling again before the cache shows the writes changes nothing.
    await s.c.reconcile({ name: 'a' });
    expect(s.api.assigned.size).to.equal(3);
  });

  it('a deleted node frees its subnet for the next node', async () => {
    const s = setUp('10.244.0.0/16', 24, [node('a', '10.244.0.0/24'), node('b', '10.244.1.0/24')]);
    s.world.informer({ plural: 'nodes' } as ResourceDescriptor).store.remove('a');
    s.world.put('nodes', node('c'));
    await s.c.reconcile({ name: 'c' });
    expect(s.api.assigned.get('c')).to.equal('10.244.0.0/24');
  });

  it('a full range: a CIDRNotAvailable warning and a retry later', async () => {
    const s = setUp('10.0.0.0/23', 24, [node('a', '10.0.0.0/24'), node('b', '10.0.1.0/24'), node('c')]);
    const r = await s.c.reconcile({ name: 'c' });
    expect(s.api.assigned.size).to.equal(0);
    expect(s.warnings).to.deep.equal(['CIDRNotAvailable']);
    expect(r?.requeueAfterMs).to.equal(30_000);
  });
});
