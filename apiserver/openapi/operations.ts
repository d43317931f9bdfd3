// The REST operations of one resource as OpenAPI path items, shaped the way kubectl
// reads them: each operation names its kind in `x-kubernetes-group-version-kind`, and
// each PATCH lists the four patch content types and a `fieldValidation` parameter
// (kubectl then trusts the server to validate and sends fieldValidation=Strict).

import { subresourceKinds, type ResourceDescriptor, type SubresourceKind } from '../../common/api/resources.js';
import { refPrefix } from '../../common/schemas/index.js';
import {
  deleteCollectionParams,
  deleteParams,
  listParams,
  nameParam,
  namespaceParam,
  type ParameterObject,
  patchParams,
  prettyParam,
  writeParams,
} from './parameters.js';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface OperationObject {
  description: string;
  operationId: string;
  tags: string[];
  parameters?: ParameterObject[];
  requestBody?: { content: Record<string, { schema: { $ref: string } }>; required?: boolean };
  responses: Record<string, { description: string; content?: Record<string, { schema: { $ref: string } }> }>;
  'x-kubernetes-action': string;
  'x-kubernetes-group-version-kind': GroupVersionKind;
}

export interface PathItemObject {
  parameters?: ParameterObject[];
  get?: OperationObject;
  put?: OperationObject;
  post?: OperationObject;
  patch?: OperationObject;
  delete?: OperationObject;
}

export const patchContentTypes = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;

const responseTypes = ['application/json', 'application/yaml'];

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const statusDefinition = `${META}.Status`;
export const deleteOptionsDefinition = `${META}.DeleteOptions`;
export const watchEventDefinition = `${META}.WatchEvent`;
export const patchDefinition = `${META}.Patch`;

/** A subresource whose body is another kind: its GVK and definition. */
function bodyKind(k: SubresourceKind): { gvk: { group: string; version: string; kind: string }; definition: string } {
  return { gvk: { group: k.group, version: k.version, kind: k.kind }, definition: k.definition! };
}

function content(types: readonly string[], definition: string): Record<string, { schema: { $ref: string } }> {
  const out: Record<string, { schema: { $ref: string } }> = {};
  for (const t of types) out[t] = { schema: { $ref: refPrefix + definition } };
  return out;
}

function ok(definition: string, codes: string[]): OperationObject['responses'] {
  const out: OperationObject['responses'] = {};
  for (const code of codes) out[code] = { description: code === '201' ? 'Created' : code === '202' ? 'Accepted' : 'OK', content: content(responseTypes, definition) };
  out['401'] = { description: 'Unauthorized' };
  return out;
}

/** A list, or with watch=true a stream of watch events (one JSON object per line). */
function listOrWatch(listDefinition: string): OperationObject['responses'] {
  const responses = ok(listDefinition, ['200']);
  responses['200']!.content!['application/json;stream=watch'] = { schema: { $ref: refPrefix + watchEventDefinition } };
  return responses;
}

/** `apps` -> `Apps`, `coordination.k8s.io` -> `Coordination`, core -> `Core`: the operationId prefix. */
function groupWord(group: string): string {
  const first = group === '' ? 'core' : group.split('.')[0]!;
  return first[0]!.toUpperCase() + first.slice(1);
}

export function tagOf(group: string, version: string): string {
  return `${group === '' ? 'core' : group.split('.')[0]!}_${version}`;
}

export function apiPrefix(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

/** Path items (by path) for a resource's collection, objects and body-carrying subresources. */
export function resourcePaths(r: ResourceDescriptor): Record<string, PathItemObject> {
  const gvk: GroupVersionKind = { group: r.group, version: r.version, kind: r.kind };
  const gv = `${groupWord(r.group)}${r.version[0]!.toUpperCase()}${r.version.slice(1)}`;
  const scope = r.namespaced ? 'Namespaced' : '';
  const tags = [tagOf(r.group, r.version)];
  const base = r.namespaced ? `${apiPrefix(r.group, r.version)}/namespaces/{namespace}/${r.plural}` : `${apiPrefix(r.group, r.version)}/${r.plural}`;
  const scopeParams = r.namespaced ? [namespaceParam] : [];
  const objectParams = [nameParam, ...scopeParams, prettyParam];
  const op = (verb: string, suffix: string, action: string, description: string, rest: Partial<OperationObject>, kind = gvk): OperationObject => ({
    description,
    operationId: `${verb}${gv}${scope}${r.kind}${suffix}`,
    tags,
    ...rest,
    responses: rest.responses ?? {},
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': kind,
  });
  const patchOp = (suffix: string, description: string, definition: string, kind: GroupVersionKind): OperationObject =>
    op('patch', suffix, 'patch', description, {
      parameters: patchParams,
      requestBody: { content: content(patchContentTypes, patchDefinition), required: true },
      responses: ok(definition, ['200', '201']),
    }, kind);

  const paths: Record<string, PathItemObject> = {};
  paths[base] = {
    parameters: [...scopeParams, prettyParam],
    get: op('list', '', 'list', `list or watch objects of kind ${r.kind}`, {
      parameters: listParams,
      responses: listOrWatch(`${r.definition}List`),
    }),
    post: op('create', '', 'post', `create a ${r.kind}`, {
      parameters: writeParams,
      requestBody: { content: content(['application/json', 'application/yaml'], r.definition), required: true },
      responses: ok(r.definition, ['200', '201', '202']),
    }),
    delete: {
      ...op('delete', '', 'deletecollection', `delete a collection of ${r.kind}`, {
        parameters: deleteCollectionParams,
        requestBody: { content: content(['application/json'], deleteOptionsDefinition) },
        // Gantry answers with the list of what it deleted.
        responses: ok(`${r.definition}List`, ['200']),
      }),
      operationId: `delete${gv}Collection${scope}${r.kind}`,
    },
  };
  if (r.namespaced) {
    paths[`${apiPrefix(r.group, r.version)}/${r.plural}`] = {
      parameters: [prettyParam],
      get: {
        ...op('list', '', 'list', `list or watch objects of kind ${r.kind} in every namespace`, {
          parameters: listParams,
          responses: listOrWatch(`${r.definition}List`),
        }),
        operationId: `list${gv}${r.kind}ForAllNamespaces`,
      },
    };
  }
  paths[`${base}/{name}`] = {
    parameters: objectParams,
    get: op('read', '', 'get', `read the specified ${r.kind}`, { responses: ok(r.definition, ['200']) }),
    put: op('replace', '', 'put', `replace the specified ${r.kind}`, {
      parameters: writeParams,
      requestBody: { content: content(['application/json', 'application/yaml'], r.definition), required: true },
      responses: ok(r.definition, ['200', '201']),
    }),
    patch: patchOp('', `partially update the specified ${r.kind}`, r.definition, gvk),
    delete: op('delete', '', 'delete', `delete a ${r.kind}`, {
      parameters: deleteParams,
      requestBody: { content: content(['application/json'], deleteOptionsDefinition) },
      responses: { ...ok(r.definition, ['200']), '202': { description: 'Accepted', content: content(responseTypes, statusDefinition) } },
    }),
  };

  for (const sub of r.subresources) {
    const path = `${base}/{name}/${sub}`;
    if (sub === 'status' || sub === 'approval') {
      const word = sub === 'status' ? 'Status' : 'Approval';
      paths[path] = {
        parameters: objectParams,
        get: op('read', word, 'get', `read ${sub} of the specified ${r.kind}`, { responses: ok(r.definition, ['200']) }),
        put: op('replace', word, 'put', `replace ${sub} of the specified ${r.kind}`, {
          parameters: writeParams,
          requestBody: { content: content(['application/json', 'application/yaml'], r.definition), required: true },
          responses: ok(r.definition, ['200', '201']),
        }),
        patch: patchOp(word, `partially update ${sub} of the specified ${r.kind}`, r.definition, gvk),
      };
    } else if (sub === 'scale') {
      const { gvk: scaleGvk, definition } = bodyKind(subresourceKinds.scale);
      paths[path] = {
        parameters: objectParams,
        get: op('read', 'Scale', 'get', `read scale of the specified ${r.kind}`, { responses: ok(definition, ['200']) }, scaleGvk),
        put: op('replace', 'Scale', 'put', `replace scale of the specified ${r.kind}`, {
          parameters: writeParams,
          requestBody: { content: content(['application/json', 'application/yaml'], definition), required: true },
          responses: ok(definition, ['200', '201']),
        }, scaleGvk),
        patch: patchOp('Scale', `partially update scale of the specified ${r.kind}`, definition, scaleGvk),
      };
    } else if (sub === 'binding' || sub === 'eviction') {
      const { gvk: subGvk, definition } = bodyKind(subresourceKinds[sub]);
      const word = sub === 'binding' ? 'Binding' : 'Eviction';
      paths[path] = {
        parameters: objectParams,
        post: op('create', word, 'post', `create ${sub === 'binding' ? 'a binding' : 'an eviction'} of a ${r.kind}`, {
          parameters: writeParams,
          requestBody: { content: content(['application/json', 'application/yaml'], definition), required: true },
          responses: ok(definition, ['200', '201', '202']),
        }, subGvk),
      };
    }
    // log, exec and proxy stream raw bytes and carry no schema; they are left out.
  }
  return paths;
}
