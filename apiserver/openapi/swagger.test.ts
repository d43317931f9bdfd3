import { expect } from 'chai';
import { builtinResources, groupVersions } from '../../common/api/resources.js';
import { definitions } from '../../common/schemas/index.js';
import { openApiV3 } from './document.js';
import { patchContentTypes } from './operations.js';
import { buildSwaggerDocument, type SwaggerDocument } from './swagger.js';
import type { SwaggerOperation, SwaggerParameter } from './v2Paths.js';
import { v2RefPrefix, type SwaggerSchema } from './v2Schema.js';

const doc: SwaggerDocument = buildSwaggerDocument(builtinResources, definitions, 'v1.32.0-gantry');
const verbs = ['get', 'put', 'post', 'patch', 'delete'] as const;

function operations(d: SwaggerDocument): { path: string; verb: string; op: SwaggerOperation }[] {
  return Object.entries(d.paths).flatMap(([path, item]) => verbs.flatMap((verb) => (item[verb] ? [{ path, verb, op: item[verb] }] : [])));
}

/** Every object inside `node` with its JSON path. */
function walk(node: unknown, at: string, visit: (value: Record<string, unknown>, at: string) => void): void {
  if (Array.isArray(node)) return node.forEach((v, i) => walk(v, `${at}[${i}]`, visit));
  if (typeof node !== 'object' || node === null) return;
  visit(node as Record<string, unknown>, at);
  for (const [k, v] of Object.entries(node)) walk(v, `${at}.${k}`, visit);
}

/**
 * kube-openapi's proto models (what kubectl 1.27/1.28 build from the document) reject a
 * schema with several types, an array without one items schema, an unknown primitive type
 * or a reference to a missing definition; checked here for every schema in the document.
 */
function modelErrors(schema: SwaggerSchema, at: string, into: string[]): void {
  if (schema.$ref !== undefined) {
    if (!schema.$ref.startsWith(v2RefPrefix) || !doc.definitions[schema.$ref.slice(v2RefPrefix.length)]) into.push(`${at}: unresolved ${schema.$ref}`);
    return;
  }
  const type = schema.type;
  if (type !== undefined && !['object', 'array', 'string', 'integer', 'number', 'boolean'].includes(type)) into.push(`${at}: type ${String(type)}`);
  if (type === 'array' && (schema.items === undefined || Array.isArray(schema.items))) into.push(`${at}: array without one items schema`);
  for (const [name, prop] of Object.entries(schema.properties ?? {})) modelErrors(prop, `${at}.${name}`, into);
  if (schema.items && !Array.isArray(schema.items)) modelErrors(schema.items, `${at}[]`, into);
  if (typeof schema.additionalProperties === 'object') modelErrors(schema.additionalProperties, `${at}{}`, into);
  for (const [i, part] of (schema.allOf ?? []).entries()) modelErrors(part, `${at}.allOf[${i}]`, into);
}

/** What kubectl's v2 query-parameter check does: the first PATCH tagged with the GVK decides. */
function v2SupportsFieldValidation(gvk: { group: string; version: string; kind: string }): boolean | 'no-path' {
  for (const item of Object.values(doc.paths)) {
    const ext = item.patch?.['x-kubernetes-group-version-kind'];
    if (!ext || ext.group !== gvk.group || ext.version !== gvk.version || ext.kind !== gvk.kind) continue;
    return (item.patch!.parameters ?? []).some((p) => p.in === 'query' && p.name === 'fieldValidation');
  }
  return 'no-path';
}

describe('openapi v2 document', () => {
  it('is a Swagger 2.0 document named like Kubernetes, with bearer token security', () => {
    expect(doc.swagger).to.equal('2.0');
    expect(doc.info).to.deep.equal({ title: 'Kubernetes', version: 'v1.32.0-gantry' });
    expect(doc.securityDefinitions.BearerToken).to.include({ type: 'apiKey', name: 'authorization', in: 'header' });
    expect(doc.security).to.deep.equal([{ BearerToken: [] }]);
  });

  it('lists exactly the operations of the v3 documents', () => {
    const v3 = openApiV3(builtinResources, definitions);
    const fromV3 = [...v3.documents.values()].flatMap(({ document }) =>
      Object.entries(document.paths).flatMap(([path, item]) => verbs.flatMap((verb) => (item[verb] ? [`${verb} ${path} ${item[verb].operationId}`] : []))),
    );
    const fromV2 = operations(doc).map(({ path, verb, op }) => `${verb} ${path} ${op.operationId}`);
    expect(fromV2).to.have.members(fromV3);
    expect(new Set(fromV2.map((o) => o.split(' ')[2])).size, 'operationIds are unique').to.equal(fromV2.length);
  });

  it('carries the definitions of the v3 documents, converted', () => {
    const v3 = openApiV3(builtinResources, definitions);
    const names = new Set([...v3.documents.values()].flatMap(({ document }) => Object.keys(document.components.schemas)));
    expect(Object.keys(doc.definitions)).to.have.members([...names]);
  });

  it('leaves no OpenAPI 3 construct behind', () => {
    const found: string[] = [];
    walk(doc, '$', (value, at) => {
      for (const key of ['requestBody', 'content', 'components', 'nullable', 'oneOf', 'anyOf', 'not']) if (key in value && !at.endsWith('.properties')) found.push(`${at}.${key}`);
      if (typeof value.$ref === 'string' && !value.$ref.startsWith(v2RefPrefix)) found.push(`${at}.$ref = ${value.$ref}`);
      if (Array.isArray(value.allOf) && value.allOf.length === 1) found.push(`${at}: allOf wrapper`);
    });
    expect(found).to.deep.equal([]);
  });

  it('has only schemas kubectl can build models from, and every reference resolves', () => {
    const errors: string[] = [];
    for (const [name, schema] of Object.entries(doc.definitions)) modelErrors(schema, name, errors);
    for (const { path, verb, op } of operations(doc)) {
      for (const p of op.parameters ?? []) if (p.schema) modelErrors(p.schema, `${verb} ${path} body`, errors);
      for (const [code, r] of Object.entries(op.responses)) if (r.schema) modelErrors(r.schema, `${verb} ${path} ${code}`, errors);
    }
    expect(errors).to.deep.equal([]);
  });

  it('writes parameters in the v2 shape: a body has a schema, the others a type', () => {
    const wrong: string[] = [];
    const check = (p: SwaggerParameter, at: string): void => {
      if (p.in === 'body' ? p.schema === undefined || p.type !== undefined : p.type === undefined || p.schema !== undefined) wrong.push(`${at} ${p.name}`);
      if (p.in === 'path' && p.required !== true) wrong.push(`${at} ${p.name} (path parameters are required)`);
    };
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const p of item.parameters ?? []) check(p, path);
      for (const verb of verbs) for (const p of item[verb]?.parameters ?? []) check(p, `${verb} ${path}`);
      for (const verb of verbs) expect((item[verb]?.parameters ?? []).filter((p) => p.in === 'body').length, `${verb} ${path}`).to.be.at.most(1);
    }
    expect(wrong).to.deep.equal([]);
  });

  for (const r of builtinResources) {
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    const prefix = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
    const collection = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
    describe(`${r.kind}`, () => {
      it('has its definition, tagged with its kind and described, and its list', () => {
        const def = doc.definitions[r.definition]!;
        expect(def['x-kubernetes-group-version-kind']).to.deep.include(gvk);
        expect(def.description).to.be.a('string').and.not.equal('');
        expect(doc.definitions[`${r.definition}List`]).to.not.equal(undefined);
      });

      it('has list/watch, create and deletecollection on the collection, read/replace/patch/delete on objects', () => {
        const c = doc.paths[collection]!;
        expect(c.get!['x-kubernetes-action']).to.equal('list');
        expect(c.get!.parameters!.map((p) => p.name)).to.include.members(['watch', 'labelSelector', 'fieldSelector', 'resourceVersion', 'limit', 'continue']);
        expect(c.get!.produces).to.include('application/json;stream=watch');
        expect(c.get!.responses['200']!.schema!.$ref).to.equal(`${v2RefPrefix}${r.definition}List`);
        expect(c.post!['x-kubernetes-action']).to.equal('post');
        expect(c.post!.parameters!.find((p) => p.in === 'body')!.schema!.$ref).to.equal(v2RefPrefix + r.definition);
        expect(c.delete!['x-kubernetes-action']).to.equal('deletecollection');
        const item = doc.paths[`${collection}/{name}`]!;
        expect(item.parameters!.map((p) => p.name)).to.include('name');
        const actions = verbs.filter((v) => item[v]).map((v) => item[v]!['x-kubernetes-action']);
        expect(actions).to.have.members(['get', 'put', 'patch', 'delete']);
        for (const { op } of operations(doc).filter(({ path }) => path.startsWith(collection))) {
          expect(op['x-kubernetes-group-version-kind']).to.be.an('object');
          expect(op.schemes).to.deep.equal(['https']);
        }
        if (r.namespaced) expect(doc.paths[`${prefix}/${r.plural}`]!.get!.operationId).to.match(/ForAllNamespaces$/);
      });

      it('patches with every patch type and fieldValidation, as kubectl checks in v2', () => {
        expect(v2SupportsFieldValidation(gvk)).to.equal(true);
        const patch = doc.paths[`${collection}/{name}`]!.patch!;
        expect(patch.consumes).to.have.members([...patchContentTypes]);
        expect(patch.parameters!.filter((p) => p.in === 'query').map((p) => p.name)).to.include.members(['fieldValidation', 'fieldManager', 'dryRun', 'force']);
      });
    });
  }

  it('covers every served group-version', () => {
    for (const { group, version } of groupVersions(builtinResources)) {
      const prefix = group === '' ? `/api/${version}/` : `/apis/${group}/${version}/`;
      expect(Object.keys(doc.paths).some((p) => p.startsWith(prefix)), prefix).to.equal(true);
    }
  });

  const extensionCases: { name: string; at: (d: SwaggerDocument) => SwaggerSchema; has: Record<string, unknown> }[] = [
    {
      name: 'containers merge by name',
      at: (d) => d.definitions['io.k8s.api.core.v1.PodSpec']!.properties!.containers!,
      has: { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
    },
    {
      name: 'ports merge by containerPort and are keyed by port and protocol',
      at: (d) => d.definitions['io.k8s.api.core.v1.Container']!.properties!.ports!,
      has: { 'x-kubernetes-patch-merge-key': 'containerPort', 'x-kubernetes-list-map-keys': ['containerPort', 'protocol'] },
    },
    {
      name: 'the deployment strategy refers to its definition, described, with retainKeys',
      at: (d) => d.definitions['io.k8s.api.apps.v1.DeploymentSpec']!.properties!.strategy!,
      has: { $ref: `${v2RefPrefix}io.k8s.api.apps.v1.DeploymentStrategy`, 'x-kubernetes-patch-strategy': 'retainKeys' },
    },
    {
      name: 'IntOrString is a string of format int-or-string',
      at: (d) => d.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString']!,
      has: { type: 'string', format: 'int-or-string' },
    },
    {
      name: 'Quantity is a string',
      at: (d) => d.definitions['io.k8s.apimachinery.pkg.api.resource.Quantity']!,
      has: { type: 'string' },
    },
  ];
  for (const tc of extensionCases) {
    it(tc.name, () => {
      const schema = tc.at(doc);
      for (const [key, value] of Object.entries(tc.has)) expect(schema[key], key).to.deep.equal(value);
      if (schema.$ref) expect(schema.description).to.be.a('string').and.not.equal('');
    });
  }
});
