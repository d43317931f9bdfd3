import { expect } from 'chai';
import { builtinResources } from '../api/resources.js';
import { definitions, refPrefix, type SchemaObject } from './index.js';

function refsIn(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) refsIn(n, out);
  else if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

function prop(definition: string, field: string): SchemaObject {
  const p = definitions[definition]?.properties?.[field];
  if (!p) throw new Error(`${definition}.${field} missing`);
  return p;
}

/** The named definition a property points at, through allOf or items. */
function target(p: SchemaObject): string | undefined {
  const s = p.allOf?.[0] ?? p.items ?? (typeof p.additionalProperties === 'object' ? p.additionalProperties : undefined) ?? p;
  return typeof s.$ref === 'string' ? s.$ref.slice(refPrefix.length) : undefined;
}

describe('generated definitions', () => {
  for (const r of builtinResources) {
    it(`${r.definition} and its list carry their GVK and a description`, () => {
      expect(definitions[r.definition]?.['x-kubernetes-group-version-kind']).to.deep.equal([{ group: r.group, version: r.version, kind: r.kind }]);
      expect(definitions[r.definition]?.description).to.be.a('string');
      expect(definitions[`${r.definition}List`]?.['x-kubernetes-group-version-kind']).to.deep.equal([{ group: r.group, version: r.version, kind: r.listKind }]);
    });
  }

  const extraKinds: [string, string, string, string][] = [
    ['io.k8s.api.autoscaling.v1.Scale', 'autoscaling', 'v1', 'Scale'],
    ['io.k8s.api.policy.v1.Eviction', 'policy', 'v1', 'Eviction'],
    ['io.k8s.api.core.v1.Binding', '', 'v1', 'Binding'],
    ['io.k8s.apimachinery.pkg.apis.meta.v1.Status', '', 'v1', 'Status'],
  ];
  for (const [name, group, version, kind] of extraKinds) {
    it(`${name} is defined for subresources and replies`, () => {
      expect(definitions[name]?.['x-kubernetes-group-version-kind']).to.deep.include({ group, version, kind });
    });
  }

  it('defines DeleteOptions and WatchEvent for every group-version', () => {
    for (const name of ['DeleteOptions', 'WatchEvent']) {
      const gvks = definitions[`io.k8s.apimachinery.pkg.apis.meta.v1.${name}`]?.['x-kubernetes-group-version-kind'] ?? [];
      for (const r of builtinResources) expect(gvks).to.deep.include({ group: r.group, version: r.version, kind: name });
    }
  });

  it('resolves every reference', () => {
    for (const ref of refsIn(definitions)) {
      expect(ref.startsWith(refPrefix), ref).to.equal(true);
      expect(definitions, ref).to.have.property(ref.slice(refPrefix.length));
    }
  });

  const quantityCases: [string, string][] = [
    ['io.k8s.api.core.v1.ResourceRequirements', 'limits'],
    ['io.k8s.api.core.v1.ResourceRequirements', 'requests'],
    ['io.k8s.api.core.v1.NodeStatus', 'capacity'],
    ['io.k8s.api.core.v1.NodeStatus', 'allocatable'],
    ['io.k8s.api.core.v1.EmptyDirVolumeSource', 'sizeLimit'],
    ['io.k8s.api.core.v1.PodSpec', 'overhead'],
  ];
  for (const [def, field] of quantityCases) {
    it(`${def}.${field} holds quantities`, () => {
      expect(target(prop(def, field))).to.equal('io.k8s.apimachinery.pkg.api.resource.Quantity');
    });
  }

  it('marks quantities and int-or-strings for the validator', () => {
    expect(definitions['io.k8s.apimachinery.pkg.api.resource.Quantity']).to.include({ 'x-kubernetes-int-or-string': true, 'x-gantry-quantity': true });
    expect(definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).to.include({ 'x-kubernetes-int-or-string': true });
    expect(target(prop('io.k8s.api.core.v1.ServicePort', 'targetPort'))).to.equal('io.k8s.apimachinery.pkg.util.intstr.IntOrString');
    expect(prop('io.k8s.api.core.v1.ServicePort', 'port')).to.include({ type: 'integer', format: 'int32' });
    expect(target(prop('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'creationTimestamp'))).to.equal('io.k8s.apimachinery.pkg.apis.meta.v1.Time');
    expect(target(prop('io.k8s.api.coordination.v1.LeaseSpec', 'renewTime'))).to.equal('io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime');
  });

  const patchCases: { def: string; field: string; strategy?: string; key?: string; listType?: string }[] = [
    { def: 'io.k8s.api.core.v1.PodSpec', field: 'containers', strategy: 'merge', key: 'name', listType: 'map' },
    { def: 'io.k8s.api.core.v1.PodSpec', field: 'volumes', strategy: 'merge,retainKeys', key: 'name', listType: 'map' },
    { def: 'io.k8s.api.core.v1.PodSpec', field: 'hostAliases', strategy: 'merge', key: 'ip', listType: 'map' },
    { def: 'io.k8s.api.core.v1.PodSpec', field: 'tolerations', listType: 'atomic' },
    { def: 'io.k8s.api.core.v1.Container', field: 'env', strategy: 'merge', key: 'name', listType: 'map' },
    { def: 'io.k8s.api.core.v1.Container', field: 'envFrom', listType: 'atomic' },
    { def: 'io.k8s.api.core.v1.Container', field: 'volumeMounts', strategy: 'merge', key: 'mountPath', listType: 'map' },
    { def: 'io.k8s.api.core.v1.ServiceSpec', field: 'ports', strategy: 'merge', key: 'port', listType: 'map' },
    { def: 'io.k8s.api.core.v1.PodStatus', field: 'conditions', strategy: 'merge', key: 'type', listType: 'map' },
    { def: 'io.k8s.api.core.v1.NodeStatus', field: 'addresses', strategy: 'merge', key: 'type', listType: 'map' },
    { def: 'io.k8s.api.apps.v1.DeploymentStatus', field: 'conditions', strategy: 'merge', key: 'type', listType: 'map' },
    { def: 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', field: 'ownerReferences', strategy: 'merge', key: 'uid', listType: 'map' },
    { def: 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', field: 'finalizers', strategy: 'merge', listType: 'set' },
  ];
  for (const tc of patchCases) {
    it(`${tc.def}.${tc.field} patch metadata`, () => {
      const p = prop(tc.def, tc.field);
      expect(p['x-kubernetes-patch-strategy']).to.equal(tc.strategy);
      expect(p['x-kubernetes-patch-merge-key']).to.equal(tc.key);
      expect(p['x-kubernetes-list-type']).to.equal(tc.listType);
    });
  }

  it('keeps upstream required fields and descriptions', () => {
    expect(definitions['io.k8s.api.core.v1.Container']?.required).to.deep.equal(['name']);
    expect(definitions['io.k8s.api.core.v1.PodSpec']?.required).to.deep.equal(['containers']);
    expect(definitions['io.k8s.api.apps.v1.DeploymentSpec']?.required).to.have.members(['selector', 'template']);
    // Escaped quotes from client-node's JSDoc are unescaped.
    expect(prop('io.k8s.api.core.v1.ContainerPort', 'protocol').description).to.equal('Protocol for port. Must be UDP, TCP, or SCTP. Defaults to "TCP".');
    expect(prop('io.k8s.api.core.v1.Pod', 'spec').description).to.be.a('string');
  });
});
