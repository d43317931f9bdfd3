import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { builtinResources, groupVersions, type ResourceDescriptor } from '../../common/api/resources.js';
import { definitions, refPrefix, type SchemaObject } from '../../common/schemas/index.js';
import { collectRefs } from './reachable.js';
import { buildOpenApiDocument, buildOpenApiIndex, groupVersionPath, openApiV3, patchContentTypes, type GroupVersionKind, type OpenApiDocument } from './index.js';

const v3 = openApiV3(builtinResources, definitions);

function docFor(group: string, version: string): OpenApiDocument {
  return buildOpenApiDocument(group, version, builtinResources, definitions);
}

/** What kubectl does: the first PATCH operation whose GVK matches decides whether fieldValidation is supported. */
function kubectlSupportsFieldValidation(doc: OpenApiDocument, gvk: GroupVersionKind): boolean | 'no-path' {
  for (const item of Object.values(doc.paths)) {
    const op = item.patch;
    if (!op) continue;
    const ext = op['x-kubernetes-group-version-kind'];
    if (ext.group !== gvk.group || ext.version !== gvk.version || ext.kind !== gvk.kind) continue;
    return (op.parameters ?? []).some((p) => p.in === 'query' && p.name === 'fieldValidation');
  }
  return 'no-path';
}

function patchOpsFor(doc: OpenApiDocument, gvk: GroupVersionKind) {
  return Object.entries(doc.paths).flatMap(([path, item]) => {
    const ext = item.patch?.['x-kubernetes-group-version-kind'];
    return ext && ext.group === gvk.group && ext.version === gvk.version && ext.kind === gvk.kind ? [{ path, op: item.patch! }] : [];
  });
}

describe('openapi v3 index', () => {
  it('points at one document per served group-version, by content hash', () => {
    const index = buildOpenApiIndex(builtinResources, definitions);
    const want = groupVersions(builtinResources).map((gv) => groupVersionPath(gv.group, gv.version));
    expect(Object.keys(index.paths)).to.have.members(want);
    expect(want).to.include.members(['api/v1', 'apis/apps/v1', 'apis/coordination.k8s.io/v1', 'apis/scheduling.k8s.io/v1']);
    for (const [path, { serverRelativeURL }] of Object.entries(index.paths)) {
      const served = v3.documents.get(path)!;
      const hash = createHash('sha512').update(served.body).digest('hex').toUpperCase();
      expect(serverRelativeURL).to.equal(`/openapi/v3/${path}?hash=${hash}`);
      expect(served.hash).to.equal(hash);
      expect(JSON.parse(served.body)).to.deep.equal(served.document);
    }
    expect(JSON.parse(v3.indexBody)).to.deep.equal(index);
  });

  it('is built once per (resources, definitions)', () => {
    expect(buildOpenApiIndex(builtinResources, definitions)).to.equal(v3.index);
    expect(docFor('apps', 'v1')).to.equal(v3.documents.get('apis/apps/v1')!.document);
  });

  it('changes the hash when a document changes, and only that one', () => {
    const changed: Record<string, SchemaObject> = structuredClone(definitions) as Record<string, SchemaObject>;
    changed['io.k8s.api.coordination.v1.LeaseSpec']!.description = 'a different description';
    const other = openApiV3(builtinResources, changed);
    expect(other.index.paths['apis/coordination.k8s.io/v1']!.serverRelativeURL).to.not.equal(v3.index.paths['apis/coordination.k8s.io/v1']!.serverRelativeURL);
    expect(other.index.paths['apis/apps/v1']).to.deep.equal(v3.index.paths['apis/apps/v1']);

    const fewer: ResourceDescriptor[] = builtinResources.filter((r) => r.kind !== 'ConfigMap');
    expect(openApiV3(fewer, definitions).index.paths['api/v1']).to.not.deep.equal(v3.index.paths['api/v1']);
  });
});

describe('openapi v3 documents', () => {
  for (const r of builtinResources) {
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    describe(`${r.kind} (${groupVersionPath(r.group, r.version)})`, () => {
      const doc = docFor(r.group, r.version);

      it('has PATCH operations for its GVK that accept fieldValidation and every patch type', () => {
        expect(kubectlSupportsFieldValidation(doc, gvk)).to.equal(true);
        const ops = patchOpsFor(doc, gvk);
        expect(ops.length).to.be.greaterThan(0);
        for (const { op } of ops) {
          expect(Object.keys(op.requestBody!.content)).to.have.members([...patchContentTypes]);
          expect(op.parameters!.map((p) => p.name)).to.include.members(['fieldValidation', 'fieldManager', 'dryRun', 'force']);
        }
      });

      it('has list (with watch), create, deletecollection, read, replace and delete operations', () => {
        const prefix = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
        const base = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
        const collection = doc.paths[base]!;
        expect(collection.get!.parameters!.map((p) => p.name)).to.include.members(['watch', 'resourceVersion', 'labelSelector', 'fieldSelector', 'limit', 'continue', 'timeoutSeconds']);
        expect(collection.post!['x-kubernetes-group-version-kind']).to.deep.equal(gvk);
        expect(collection.delete!['x-kubernetes-action']).to.equal('deletecollection');
        expect(collection.delete!.parameters!.map((p) => p.name)).to.include.members(['labelSelector', 'fieldSelector', 'propagationPolicy', 'dryRun']);
        expect(collection.delete!.parameters!.map((p) => p.name)).to.not.include('watch');
        const item = doc.paths[`${base}/{name}`]!;
        for (const verb of ['get', 'put', 'patch', 'delete'] as const) expect(item[verb], verb).to.not.equal(undefined);
        if (r.namespaced) expect(doc.paths[`${prefix}/${r.plural}`]!.get!.operationId).to.match(/ForAllNamespaces$/);
      });

      it('describes the kind in components.schemas for kubectl explain', () => {
        const tagged = Object.values(doc.components.schemas).filter((s) =>
          (s['x-kubernetes-group-version-kind'] ?? []).some((g) => g.group === r.group && g.version === r.version && g.kind === r.kind),
        );
        expect(tagged).to.have.lengthOf(1);
        expect(tagged[0]!.description).to.be.a('string').and.not.equal('');
        expect(doc.components.schemas[`${r.definition}List`]).to.not.equal(undefined);
      });
    });
  }

  for (const gv of groupVersions(builtinResources)) {
    it(`resolves every reference in ${groupVersionPath(gv.group, gv.version)}`, () => {
      const doc = docFor(gv.group, gv.version);
      const refs: string[] = [];
      collectRefs(doc, refs);
      expect(refs.length).to.be.greaterThan(0);
      for (const ref of refs) expect(doc.components.schemas, ref).to.have.property(ref);
      // Only reachable schemas are carried: nothing unreferenced besides the kinds' roots.
      for (const name of Object.keys(doc.components.schemas)) {
        expect(refs.includes(name), `${name} is referenced`).to.equal(true);
      }
    });
  }

  it('keeps each document to its own kinds', () => {
    const coordination = Object.keys(docFor('coordination.k8s.io', 'v1').components.schemas);
    expect(coordination).to.include('io.k8s.api.coordination.v1.Lease');
    expect(coordination).to.not.include('io.k8s.api.core.v1.PodSpec');
    const apps = Object.keys(docFor('apps', 'v1').components.schemas);
    expect(apps).to.include.members(['io.k8s.api.core.v1.PodSpec', 'io.k8s.api.autoscaling.v1.Scale']);
    expect(apps).to.not.include('io.k8s.api.core.v1.Node');
  });

  const subresourceCases: { name: string; gv: [string, string]; path: string; verb: 'patch' | 'post'; gvk: GroupVersionKind; body: string }[] = [
    {
      name: 'deployments/scale is an autoscaling/v1 Scale',
      gv: ['apps', 'v1'],
      path: '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale',
      verb: 'patch',
      gvk: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
      body: 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
    },
    {
      name: 'deployments/status patches the Deployment',
      gv: ['apps', 'v1'],
      path: '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status',
      verb: 'patch',
      gvk: { group: 'apps', version: 'v1', kind: 'Deployment' },
      body: 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
    },
    {
      name: 'pods/eviction takes a policy/v1 Eviction',
      gv: ['', 'v1'],
      path: '/api/v1/namespaces/{namespace}/pods/{name}/eviction',
      verb: 'post',
      gvk: { group: 'policy', version: 'v1', kind: 'Eviction' },
      body: 'io.k8s.api.policy.v1.Eviction',
    },
    {
      name: 'pods/binding takes a core/v1 Binding',
      gv: ['', 'v1'],
      path: '/api/v1/namespaces/{namespace}/pods/{name}/binding',
      verb: 'post',
      gvk: { group: '', version: 'v1', kind: 'Binding' },
      body: 'io.k8s.api.core.v1.Binding',
    },
    {
      name: 'nodes/status is cluster-scoped',
      gv: ['', 'v1'],
      path: '/api/v1/nodes/{name}/status',
      verb: 'patch',
      gvk: { group: '', version: 'v1', kind: 'Node' },
      body: 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
    },
  ];
  for (const tc of subresourceCases) {
    it(tc.name, () => {
      const op = docFor(...tc.gv).paths[tc.path]?.[tc.verb];
      expect(op, tc.path).to.not.equal(undefined);
      expect(op!['x-kubernetes-group-version-kind']).to.deep.equal(tc.gvk);
      expect(Object.values(op!.requestBody!.content)[0]!.schema.$ref).to.equal(refPrefix + tc.body);
    });
  }

  it('carries the strategic merge metadata kubectl reads', () => {
    const schemas = docFor('apps', 'v1').components.schemas;
    const containers = schemas['io.k8s.api.core.v1.PodSpec']!.properties!.containers!;
    expect(containers['x-kubernetes-patch-strategy']).to.equal('merge');
    expect(containers['x-kubernetes-patch-merge-key']).to.equal('name');
    const ports = schemas['io.k8s.api.core.v1.Container']!.properties!.ports!;
    expect(ports['x-kubernetes-patch-merge-key']).to.equal('containerPort');
    expect(ports['x-kubernetes-list-map-keys']).to.deep.equal(['containerPort', 'protocol']);
    expect(schemas['io.k8s.api.apps.v1.DeploymentSpec']!.properties!.strategy!['x-kubernetes-patch-strategy']).to.equal('retainKeys');
  });
});
