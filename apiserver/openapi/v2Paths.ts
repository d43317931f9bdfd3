// The REST operations in Swagger 2.0 form, from the v3 path items the operations builder
// writes (so both versions list exactly the same operations): a v3 request body becomes a
// `body` parameter and `consumes`, response content types become `produces`, and a
// parameter's `schema.type` moves up onto the parameter.

import type { OperationObject, PathItemObject } from './operations.js';
import type { ParameterObject } from './parameters.js';
import { toV2Ref, type SwaggerSchema } from './v2Schema.js';

export interface SwaggerParameter {
  name: string;
  in: 'body' | 'query' | 'path' | 'header' | 'formData';
  description?: string;
  required?: boolean;
  /** Body parameters only. */
  schema?: SwaggerSchema;
  /** Non-body parameters only. */
  type?: string;
  uniqueItems?: boolean;
}

export interface SwaggerOperation {
  description: string;
  operationId: string;
  tags: string[];
  consumes?: string[];
  produces?: string[];
  schemes: string[];
  parameters?: SwaggerParameter[];
  responses: Record<string, { description: string; schema?: SwaggerSchema }>;
  'x-kubernetes-action': string;
  'x-kubernetes-group-version-kind': OperationObject['x-kubernetes-group-version-kind'];
}

export interface SwaggerPathItem {
  parameters?: SwaggerParameter[];
  get?: SwaggerOperation;
  put?: SwaggerOperation;
  post?: SwaggerOperation;
  patch?: SwaggerOperation;
  delete?: SwaggerOperation;
}

const verbs = ['get', 'put', 'post', 'patch', 'delete'] as const;

function toSwaggerParameter(p: ParameterObject): SwaggerParameter {
  const out: SwaggerParameter = { name: p.name, in: p.in, description: p.description };
  if (p.required) out.required = true;
  out.type = p.schema.type;
  if (p.schema.uniqueItems) out.uniqueItems = true;
  return out;
}

function toSwaggerOperation(op: OperationObject): SwaggerOperation {
  const parameters: SwaggerParameter[] = [];
  let consumes: string[] | undefined;
  if (op.requestBody) {
    const media = Object.values(op.requestBody.content);
    consumes = Object.keys(op.requestBody.content);
    // Every content type of one operation carries the same schema.
    parameters.push({ name: 'body', in: 'body', ...(op.requestBody.required ? { required: true } : {}), schema: { $ref: toV2Ref(media[0]!.schema.$ref) } });
  }
  for (const p of op.parameters ?? []) parameters.push(toSwaggerParameter(p));
  const produces: string[] = [];
  const responses: SwaggerOperation['responses'] = {};
  for (const [code, response] of Object.entries(op.responses)) {
    const content = response.content ?? {};
    for (const type of Object.keys(content)) if (!produces.includes(type)) produces.push(type);
    const first = Object.values(content)[0];
    responses[code] = first ? { description: response.description, schema: { $ref: toV2Ref(first.schema.$ref) } } : { description: response.description };
  }
  return {
    description: op.description,
    operationId: op.operationId,
    tags: op.tags,
    ...(consumes ? { consumes } : {}),
    ...(produces.length > 0 ? { produces } : {}),
    schemes: ['https'],
    ...(parameters.length > 0 ? { parameters } : {}),
    responses,
    'x-kubernetes-action': op['x-kubernetes-action'],
    'x-kubernetes-group-version-kind': op['x-kubernetes-group-version-kind'],
  };
}

export function toSwaggerPathItem(item: PathItemObject): SwaggerPathItem {
  const out: SwaggerPathItem = {};
  for (const verb of verbs) {
    const op = item[verb];
    if (op) out[verb] = toSwaggerOperation(op);
  }
  if (item.parameters) out.parameters = item.parameters.map(toSwaggerParameter);
  return out;
}
