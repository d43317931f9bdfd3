// One pass of the namespace controller over a terminating namespace, against an in-test
// fake of the Api contract: what it deletes, what it counts as remaining, when it looks
// again, and that it finalizes only an empty namespace.

import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { builtinResources, type ResourceDescriptor } from '../../common/api/resources.js';
import type { Api, DeleteOpts } from '../../common/client/api.js';
import { FakeClock } from '../../common/clock.js';
import { NotFoundError } from '../../common/errors.js';
import { silentLogger } from '../../common/logging.js';
import type { NamespaceCondition } from './conditions.js';
import { NamespaceController } from './namespaceController.js';

const t0 = Date.parse('2026-12-07T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();

interface Stored {
  plural: string;
  obj: KubeObject;
  /** What a DELETE does: remove it, or mark it (finalizers, a running pod's grace period). */
  onDelete: 'remove' | { graceSeconds: number };
}

class FakeApi {
  readonly deleted: { plural: string; name: string; opts: DeleteOpts | undefined }[] = [];
  statusWrites: KubeObject[] = [];
  subresourceWrites: { plural: string; subresource: string; obj: KubeObject }[] = [];
  constructor(
    public ns: KubeObject,
    readonly content: Stored[],
    private readonly now: () => number,
  ) {}
  api(): Api {
    return {
      get: async (r: ResourceDescriptor, _ns: string | undefined, name: string) => {
        if (r.plural === 'namespaces' && name === this.ns.metadata.name) return structuredClone(this.ns);
        throw new NotFoundError({ resource: r.plural, name });
      },
      list: async (r: ResourceDescriptor) => {
        return { items: this.content.filter((s) => s.plural === r.plural).map((s) => structuredClone(s.obj)), resourceVersion: '1' };
      },
      delete: async (r: ResourceDescriptor, _ns: string | undefined, name: string, opts?: DeleteOpts) => {
        this.deleted.push({ plural: r.plural, name, opts });
        const i = this.content.findIndex((s) => s.plural === r.plural && s.obj.metadata.name === name);
        if (i < 0) throw new NotFoundError({ resource: r.plural, name });
        const s = this.content[i]!;
        if (s.onDelete === 'remove') {
          this.content.splice(i, 1);
          return structuredClone(s.obj);
        }
        s.obj.metadata.deletionTimestamp = iso(this.now() + s.onDelete.graceSeconds * 1000);
        return structuredClone(s.obj);
      },
      updateStatus: async (_r: ResourceDescriptor, obj: KubeObject) => {
        this.statusWrites.push(obj);
        this.ns = structuredClone(obj);
        return obj;
      },
      updateSubresource: async (r: ResourceDescriptor, obj: KubeObject, subresource: string) => {
        this.subresourceWrites.push({ plural: r.plural, subresource, obj: structuredClone(obj) });
        return obj;
      },
    } as unknown as Api;
  }
}

const terminating = (finalizers = ['kubernetes']): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns', uid: 'ns-uid', deletionTimestamp: iso(t0) }, spec: { finalizers }, status: { phase: 'Terminating' } });
const obj = (name: string, over: Partial<KubeObject['metadata']> = {}): KubeObject => ({ metadata: { name, namespace: 'ns', uid: `${name}-uid`, ...over } });

function setup(ns: KubeObject, content: Stored[]): { fake: FakeApi; controller: NamespaceController; finalized: string[][] } {
  const clock = new FakeClock(t0);
  const fake = new FakeApi(ns, content, () => clock.now());
  const finalized: string[][] = [];
  const controller = new NamespaceController({
    api: fake.api(),
    recorder: { event: () => undefined },
    clock,
    logger: silentLogger(),
    finalize: async (_ns, f) => void finalized.push(f),
    resources: builtinResources.filter((r) => ['pods', 'configmaps', 'secrets'].includes(r.plural)),
  });
  return { fake, controller, finalized };
}

const cond = (ns: KubeObject, type: string): NamespaceCondition | undefined => ((ns.status as { conditions?: NamespaceCondition[] }).conditions ?? []).find((c) => c.type === type);

describe('namespace controller: one pass', () => {
  it('deletes everything (in the background, guarded by uid) and finalizes an emptied namespace', async () => {
    const { fake, controller, finalized } = setup(terminating(['kubernetes', 'example.com/other']), [
      { plural: 'configmaps', obj: obj('a'), onDelete: 'remove' },
      { plural: 'secrets', obj: obj('b'), onDelete: 'remove' },
    ]);
    expect(await controller.reconcile({ name: 'ns' })).to.equal(undefined);
    expect(fake.deleted.map((d) => `${d.plural}/${d.name}`).sort()).to.deep.equal(['configmaps/a', 'secrets/b']);
    expect(fake.deleted[0]!.opts).to.deep.equal({ propagationPolicy: 'Background', preconditions: { uid: fake.deleted[0]!.name + '-uid' } });
    // Only `kubernetes` is removed; other finalizers stay for their own controllers.
    expect(finalized).to.deep.equal([['example.com/other']]);
    expect(cond(fake.ns, 'NamespaceContentRemaining')?.status).to.equal('False');
  });

  it('waits for a running pod for its grace period, reporting it', async () => {
    const { fake, controller, finalized } = setup(terminating(), [{ plural: 'pods', obj: obj('p'), onDelete: { graceSeconds: 10 } }]);
    const r = await controller.reconcile({ name: 'ns' });
    expect(r).to.deep.equal({ requeueAfterMs: 10_000 });
    expect(finalized).to.deep.equal([]);
    expect(cond(fake.ns, 'NamespaceContentRemaining')).to.deep.include({ status: 'True', message: 'Some resources are remaining: pods. has 1 resource instances' });
    // A second pass does not delete it again.
    await controller.reconcile({ name: 'ns' });
    expect(fake.deleted).to.have.length(1);
  });

  it('backs off while a finalizer holds content, and says which', async () => {
    const { fake, controller, finalized } = setup(terminating(), [{ plural: 'configmaps', obj: obj('held', { finalizers: ['example.com/hold'] }), onDelete: { graceSeconds: 0 } }]);
    const waits: (number | undefined)[] = [];
    for (let i = 0; i < 6; i++) waits.push((await controller.reconcile({ name: 'ns' }))?.requeueAfterMs);
    expect(waits).to.deep.equal([1_000, 2_000, 4_000, 8_000, 15_000, 15_000]);
    expect(finalized).to.deep.equal([]);
    expect(cond(fake.ns, 'NamespaceFinalizersRemaining')).to.deep.include({ status: 'True', message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances' });
    // Conditions are written when they change, not on every pass.
    expect(fake.statusWrites).to.have.length(1);
  });

  it('finalizes through the Api\'s namespaces/finalize by default, with the namespace and the reduced finalizers', async () => {
    const clock = new FakeClock(t0);
    const fake = new FakeApi(terminating(['example.com/first', 'kubernetes']), [], () => clock.now());
    const controller = new NamespaceController({ api: fake.api(), recorder: { event: () => undefined }, clock, logger: silentLogger(), resources: [] });
    await controller.reconcile({ name: 'ns' });
    expect(fake.subresourceWrites).to.have.length(1);
    const w = fake.subresourceWrites[0]!;
    expect({ plural: w.plural, subresource: w.subresource }).to.deep.equal({ plural: 'namespaces', subresource: 'finalize' });
    expect(w.obj).to.deep.include({ apiVersion: 'v1', kind: 'Namespace' });
    expect(w.obj.metadata).to.deep.include({ name: 'ns', uid: 'ns-uid' });
    expect(w.obj.spec).to.deep.equal({ finalizers: ['example.com/first'] });
  });

  const untouched: { name: string; ns: KubeObject }[] = [
    { name: 'an active namespace', ns: { metadata: { name: 'ns', uid: 'u' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } } },
    { name: 'a namespace already finalized', ns: terminating([]) },
  ];
  for (const tc of untouched) {
    it(`leaves ${tc.name} alone`, async () => {
      const { fake, controller, finalized } = setup(tc.ns, [{ plural: 'configmaps', obj: obj('a'), onDelete: 'remove' }]);
      await controller.reconcile({ name: 'ns' });
      expect(fake.deleted).to.deep.equal([]);
      expect(finalized).to.deep.equal([]);
    });
  }
});
