// The conflict rules of server-side apply, one case per rule: what another manager owns
// conflicts only when the apply changes it.

import { expect } from 'chai';
import type { KubeObject, ManagedFieldsEntry } from '../../common/api/meta.js';
import { BadRequestError } from '../../common/errors.js';
import { definitions } from '../../common/schemas/index.js';
import { openApiPatchMeta } from '../patch/patchMeta.js';
import { mergeApplied } from './applyMerge.js';
import { conflictError, findConflicts } from './conflicts.js';
import { describePath, fieldsOf, type FieldSet } from './fieldSet.js';

const deployMeta = openApiPatchMeta(definitions, 'io.k8s.api.apps.v1.Deployment');
const serviceMeta = openApiPatchMeta(definitions, 'io.k8s.api.core.v1.Service');
const cmMeta = openApiPatchMeta(definitions, 'io.k8s.api.core.v1.ConfigMap');

type Obj = Record<string, unknown>;

/** A Deployment whose one container is `c` (fields merged over the base). */
function deployment(container: Obj = {}, spec: Obj = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'ns' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'd' } },
      template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'web:1', ...container }] } },
      ...spec,
    },
  };
}

/** The same with the defaults the server adds. */
function liveDeployment(container: Obj = {}, spec: Obj = {}): KubeObject {
  return deployment({ imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', ...container }, { revisionHistoryLimit: 10, progressDeadlineSeconds: 600, ...spec });
}

function service(ports: Obj[]): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'ns' }, spec: { selector: { app: 's' }, ports } };
}

function configMap(data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm', namespace: 'ns' }, data };
}

function entry(manager: string, operation: 'Apply' | 'Update', fieldsV1: FieldSet, subresource?: string): ManagedFieldsEntry {
  return { manager, operation, apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1, ...(subresource ? { subresource } : {}) };
}

/** `live` owned by `owners`, each owning every field it has in `ownedObj` (default: all of live). */
function owned(live: KubeObject, meta: typeof deployMeta, owners: { manager: string; operation?: 'Apply' | 'Update'; of?: KubeObject; subresource?: string }[]): KubeObject {
  const obj = structuredClone(live);
  obj.metadata.managedFields = owners.map((o) => entry(o.manager, o.operation ?? 'Update', fieldsOf(o.of ?? live, meta, true), o.subresource));
  return obj;
}

const container = (field: string): string => `.spec.template.spec.containers[name="c"]${field}`;

describe('server-side apply conflicts', () => {
  const cases: {
    name: string;
    live: KubeObject;
    applied: KubeObject;
    meta?: typeof deployMeta;
    manager?: string;
    subresource?: string;
    /** "manager field" per conflict. */
    want: string[];
  }[] = [
    { name: 'an identical leaf is shared', live: owned(configMap({ x: '1' }), cmMeta, [{ manager: 'csa' }]), applied: configMap({ x: '1' }), meta: cmMeta, want: [] },
    { name: 'a differing leaf conflicts', live: owned(configMap({ x: '1', y: '2' }), cmMeta, [{ manager: 'csa' }]), applied: configMap({ x: '9', y: '2' }), meta: cmMeta, want: ['csa .data.x'] },
    { name: 'a leaf nobody owns is free to change', live: owned(configMap({ x: '1', y: '2' }), cmMeta, [{ manager: 'csa', of: configMap({ y: '2' }) }]), applied: configMap({ x: '9' }), meta: cmMeta, want: [] },
    {
      name: 'the same manifest over a defaulted live object (the list item itself is no value)',
      live: owned(liveDeployment(), deployMeta, [{ manager: 'kubectl-client-side-apply' }]),
      applied: deployment(),
      want: [],
    },
    {
      name: 'a changed image conflicts on the image alone, not on the item',
      live: owned(liveDeployment(), deployMeta, [{ manager: 'kubectl-client-side-apply' }]),
      applied: deployment({ image: 'web:2' }),
      want: [`kubectl-client-side-apply ${container('.image')}`],
    },
    {
      name: 'a default the applier states with another value conflicts',
      live: owned(liveDeployment(), deployMeta, [{ manager: 'kubectl-client-side-apply' }]),
      applied: deployment({ imagePullPolicy: 'Always' }),
      want: [`kubectl-client-side-apply ${container('.imagePullPolicy')}`],
    },
    {
      name: 'a new item in a keyed list is no conflict',
      live: owned(liveDeployment({ env: [{ name: 'A', value: '1' }] }), deployMeta, [{ manager: 'csa' }]),
      applied: deployment({ env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }),
      want: [],
    },
    {
      name: 'nested keyed lists: a differing env value conflicts by its own path',
      live: owned(liveDeployment({ env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }), deployMeta, [{ manager: 'csa' }]),
      applied: deployment({ env: [{ name: 'A', value: '1' }, { name: 'B', value: '3' }] }),
      want: [`csa ${container('.env[name="B"].value')}`],
    },
    {
      name: 'container ports are keyed by containerPort and the defaulted protocol',
      live: owned(liveDeployment({ ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }] }), deployMeta, [{ manager: 'csa' }]),
      applied: deployment({ ports: [{ containerPort: 80, name: 'web' }] }),
      want: [`csa ${container('.ports[containerPort=80,protocol="TCP"].name')}`],
    },
    {
      name: 'an equal atomic list is shared',
      live: owned(liveDeployment({ command: ['serve', '-v'] }), deployMeta, [{ manager: 'csa' }]),
      applied: deployment({ command: ['serve', '-v'] }),
      want: [],
    },
    {
      name: 'an unequal atomic list conflicts as a whole',
      live: owned(liveDeployment({ command: ['serve', '-v'] }), deployMeta, [{ manager: 'csa' }]),
      applied: deployment({ command: ['serve'] }),
      want: [`csa ${container('.command')}`],
    },
    {
      name: 'an equal atomic map (the label selector) is shared',
      live: owned(liveDeployment(), deployMeta, [{ manager: 'csa' }]),
      applied: deployment(),
      want: [],
    },
    {
      name: 'an atomic map with a key less conflicts as a whole (it is replaced, not merged)',
      live: owned(liveDeployment({}, { selector: { matchLabels: { app: 'd', tier: 'web' } } }), deployMeta, [{ manager: 'csa' }]),
      applied: deployment(),
      want: ['csa .spec.selector'],
    },
    {
      name: 'a field owned by two managers: identical values are shared with both',
      live: owned(configMap({ x: '1' }), cmMeta, [{ manager: 'a', operation: 'Apply' }, { manager: 'b' }]),
      applied: configMap({ x: '1' }),
      meta: cmMeta,
      want: [],
    },
    {
      name: 'a field owned by two managers: a differing value conflicts with both',
      live: owned(configMap({ x: '1' }), cmMeta, [{ manager: 'a', operation: 'Apply' }, { manager: 'b' }]),
      applied: configMap({ x: '2' }),
      meta: cmMeta,
      want: ['a .data.x', 'b .data.x'],
    },
    {
      name: "the applier's own earlier Apply is no conflict, its Update entry is",
      live: owned(configMap({ x: '1' }), cmMeta, [{ manager: 'me', operation: 'Apply' }, { manager: 'me', operation: 'Update' }]),
      applied: configMap({ x: '2' }),
      meta: cmMeta,
      manager: 'me',
      want: ['me .data.x'],
    },
    {
      name: 'owners of another subresource do not conflict',
      live: owned(configMap({ x: '1' }), cmMeta, [{ manager: 'a', subresource: 'status' }]),
      applied: configMap({ x: '2' }),
      meta: cmMeta,
      want: [],
    },
    {
      name: 'Service ports keyed by port and protocol: the same ports, protocol defaulted on the live side only',
      live: owned(service([{ port: 80, protocol: 'TCP', targetPort: 8080 }, { port: 53, protocol: 'UDP', targetPort: 5353 }]), serviceMeta, [{ manager: 'csa' }]),
      applied: service([{ port: 80, targetPort: 8080 }, { port: 53, protocol: 'UDP', targetPort: 5353 }]),
      meta: serviceMeta,
      want: [],
    },
    {
      name: 'Service ports: a differing targetPort conflicts on that port only',
      live: owned(service([{ port: 80, protocol: 'TCP', targetPort: 8080 }, { port: 53, protocol: 'UDP', targetPort: 5353 }]), serviceMeta, [{ manager: 'csa' }]),
      applied: service([{ port: 80, targetPort: 9090 }, { port: 53, protocol: 'UDP', targetPort: 5353 }]),
      meta: serviceMeta,
      want: ['csa .spec.ports[port=80,protocol="TCP"].targetPort'],
    },
  ];

  for (const tc of cases) {
    it(tc.name, () => {
      const meta = tc.meta ?? deployMeta;
      const merged = mergeApplied(tc.live, tc.applied, meta);
      const got = findConflicts(tc.live.metadata.managedFields ?? [], tc.live, merged, meta, { manager: tc.manager ?? 'gantry', subresource: tc.subresource, apiVersion: 'v1' });
      expect(got.map((c) => `${c.manager} ${describePath(c.path)}`)).to.deep.equal(tc.want);
    });
  }

  it('answers 409 Conflict with one FieldManagerConflict cause per owner and field', () => {
    const live = owned(configMap({ x: '1', y: '1' }), cmMeta, [{ manager: 'a' }, { manager: 'b', of: configMap({ y: '1' }) }]);
    const conflicts = findConflicts(live.metadata.managedFields!, live, mergeApplied(live, configMap({ x: '2', y: '2' }), cmMeta), cmMeta, { manager: 'gantry', apiVersion: 'v1' });
    const err = conflictError({ plural: 'configmaps' }, 'm', conflicts);
    expect(err.reason).to.equal('Conflict');
    expect(err.message).to.equal('Apply failed with 3 conflicts: conflict with "a" using v1: .data.x\nconflict with "a" using v1: .data.y\nconflict with "b" using v1: .data.y');
    expect(err.details?.causes).to.deep.equal([
      { reason: 'FieldManagerConflict', message: 'conflict with "a" using v1', field: '.data.x' },
      { reason: 'FieldManagerConflict', message: 'conflict with "a" using v1', field: '.data.y' },
      { reason: 'FieldManagerConflict', message: 'conflict with "b" using v1', field: '.data.y' },
    ]);
  });

  it('an atomic map is replaced whole by the merge, keyed lists still merge', () => {
    const live = liveDeployment({ env: [{ name: 'A', value: '1' }] }, { selector: { matchLabels: { app: 'd', tier: 'web' } } });
    const merged = mergeApplied(live, deployment({ env: [{ name: 'B', value: '2' }] }), deployMeta) as KubeObject & { spec: { selector: unknown; template: { spec: { containers: { env: unknown[]; imagePullPolicy: string }[] } } } };
    expect(merged.spec.selector).to.deep.equal({ matchLabels: { app: 'd' } });
    expect(merged.spec.template.spec.containers[0]!.env).to.have.deep.members([{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
    expect(merged.spec.template.spec.containers[0]!.imagePullPolicy).to.equal('IfNotPresent');
  });
});

describe('merging an applied configuration', () => {
  it('merges Service ports on port and protocol (53/UDP and 53/TCP stay two ports)', () => {
    const live = service([{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }]);
    const merged = mergeApplied(live, service([{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 5353 }, { name: 'dns-tcp', port: 53, targetPort: 53 }]), serviceMeta);
    expect((merged.spec as { ports: unknown[] }).ports).to.deep.equal([
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 5353 },
      { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
    ]);
  });

  it('shares nothing with the live object, drops nulls and keeps what the configuration leaves out', () => {
    const live = configMap({ x: '1', y: '2' });
    live.metadata.labels = { a: 'b' };
    const merged = mergeApplied(live, { ...configMap({ x: '3' }), metadata: { name: 'm', labels: { c: 'd' } }, binaryData: null } as unknown as KubeObject, cmMeta);
    expect(merged.data).to.deep.equal({ x: '3', y: '2' });
    expect(merged.metadata.labels).to.deep.equal({ a: 'b', c: 'd' });
    expect(merged).to.not.have.property('binaryData');
    merged.metadata.labels!.a = 'changed';
    expect(live.metadata.labels).to.deep.equal({ a: 'b' });
  });
});

describe('bad applied configurations', () => {
  it('two items with one key are a 400 naming the list and the key', () => {
    const live = service([{ port: 80, protocol: 'TCP', targetPort: 8080 }]);
    expect(() => mergeApplied(live, service([{ port: 80, targetPort: 1 }, { port: 80, protocol: 'TCP', targetPort: 2 }]), serviceMeta))
      .to.throw(BadRequestError)
      .with.property('message', '.spec.ports: duplicate entries for key [port=80,protocol="TCP"]');
  });
});
