import { expect } from 'chai';
import type { SchemaObject } from '../../common/schemas/index.js';
import { toSwaggerSchema, type SwaggerSchema } from './v2Schema.js';

const ref = (name: string): string => `#/components/schemas/${name}`;
const v2ref = (name: string): string => `#/definitions/${name}`;

const cases: { name: string; v3: SchemaObject; v2: SwaggerSchema }[] = [
  { name: 'a reference moves to #/definitions/', v3: { $ref: ref('a.B') }, v2: { $ref: v2ref('a.B') } },
  {
    name: 'an allOf wrapper around one reference becomes the reference with its siblings',
    v3: { allOf: [{ $ref: ref('a.B') }], description: 'the field', default: {}, 'x-kubernetes-patch-strategy': 'retainKeys' },
    v2: { $ref: v2ref('a.B'), description: 'the field', default: {}, 'x-kubernetes-patch-strategy': 'retainKeys' },
  },
  {
    name: 'an allOf of several schemas stays an allOf, converted',
    v3: { allOf: [{ $ref: ref('a.B') }, { type: 'object', properties: { x: { allOf: [{ $ref: ref('a.C') }] } } }] },
    v2: { allOf: [{ $ref: v2ref('a.B') }, { type: 'object', properties: { x: { $ref: v2ref('a.C') } } }] },
  },
  {
    name: 'an allOf wrapper whose element is more than a reference stays an allOf',
    v3: { allOf: [{ $ref: ref('a.B'), description: 'inner' }] },
    v2: { allOf: [{ $ref: v2ref('a.B'), description: 'inner' }] },
  },
  { name: 'nullable is dropped', v3: { type: 'string', nullable: true, description: 'd' }, v2: { type: 'string', description: 'd' } },
  {
    name: 'oneOf alternatives of one type become that type',
    v3: { oneOf: [{ type: 'string', format: 'date-time' }, { type: 'string' }], description: 'd' },
    v2: { description: 'd', type: 'string' },
  },
  { name: 'oneOf alternatives of different types leave the type open', v3: { anyOf: [{ type: 'integer' }, { type: 'string' }] }, v2: {} },
  { name: 'not and writeOnly are dropped', v3: { type: 'string', not: { enum: ['x'] }, writeOnly: true }, v2: { type: 'string' } },
  {
    name: 'an int-or-string is a string, as Kubernetes serves IntOrString in v2',
    v3: { description: 'IntOrString', format: 'int-or-string', 'x-kubernetes-int-or-string': true },
    v2: { description: 'IntOrString', format: 'int-or-string', 'x-kubernetes-int-or-string': true, type: 'string' },
  },
  {
    name: 'maps convert their value schema',
    v3: { type: 'object', additionalProperties: { allOf: [{ $ref: ref('q.Quantity') }], description: 'v' } },
    v2: { type: 'object', additionalProperties: { $ref: v2ref('q.Quantity'), description: 'v' } },
  },
  { name: 'a boolean additionalProperties stays', v3: { type: 'object', additionalProperties: true }, v2: { type: 'object', additionalProperties: true } },
  {
    name: 'arrays convert their items and keep list extensions',
    v3: { type: 'array', items: { $ref: ref('a.C') }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], 'x-kubernetes-patch-merge-key': 'name' },
    v2: { type: 'array', items: { $ref: v2ref('a.C') }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], 'x-kubernetes-patch-merge-key': 'name' },
  },
  { name: 'a v3 discriminator object becomes its property name', v3: { type: 'object', discriminator: { propertyName: 'kind' } }, v2: { type: 'object', discriminator: 'kind' } },
  {
    name: 'kinds keep their group-version-kind, required and enum',
    v3: { type: 'object', required: ['a'], properties: { a: { type: 'string', enum: ['x', 'y'] } }, 'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Pod' }] },
    v2: { type: 'object', required: ['a'], properties: { a: { type: 'string', enum: ['x', 'y'] } }, 'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Pod' }] },
  },
];

describe('v3 schema to Swagger 2.0', () => {
  for (const tc of cases) {
    it(tc.name, () => {
      expect(toSwaggerSchema(tc.v3)).to.deep.equal(tc.v2);
    });
  }
  it('leaves its input alone', () => {
    const v3: SchemaObject = { allOf: [{ $ref: ref('a.B') }], description: 'd' };
    const before = structuredClone(v3);
    toSwaggerSchema(v3);
    expect(v3).to.deep.equal(before);
  });
});
