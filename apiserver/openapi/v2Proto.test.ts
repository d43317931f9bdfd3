import { expect } from 'chai';
import { load } from 'js-yaml';
import { builtinResources } from '../../common/api/resources.js';
import { definitions } from '../../common/schemas/index.js';
import { decodeMessage, swaggerFromGnostic, type Decoded } from './protoTestKit.js';
import { buildSwaggerDocument } from './swagger.js';
import { encodeSwaggerDocument, swaggerToGnostic } from './v2Proto.js';

const doc = buildSwaggerDocument(builtinResources, definitions, 'v1.32.0-gantry');
const decodeDocument = (d: object): Decoded => decodeMessage('openapi.v2.Document', encodeSwaggerDocument(d));
const at = (v: unknown, ...keys: (string | number)[]): Decoded => keys.reduce<Decoded>((o, k) => (o as Record<string | number, unknown>)[k] as Decoded, v as Decoded);
const named = (list: unknown, name: string): Decoded => (list as Decoded[]).find((n) => n.name === name)!.value as Decoded;

describe('openapi v2 protobuf (gnostic openapi.v2.Document)', () => {
  it('decodes back to the JSON document, definition by definition and operation by operation', () => {
    expect(swaggerFromGnostic(decodeDocument(doc))).to.deep.equal(JSON.parse(JSON.stringify(doc)));
  });

  it('keeps the order of paths and definitions', () => {
    const decoded = decodeDocument(doc);
    expect((at(decoded, 'paths').path as unknown as Decoded[]).map((p) => p.name)).to.deep.equal(Object.keys(doc.paths));
    expect((at(decoded, 'definitions').additional_properties as unknown as Decoded[]).map((p) => p.name)).to.deep.equal(Object.keys(doc.definitions));
  });

  const parameterCases: { name: string; parameter: object; path: (string | number)[]; want: Decoded }[] = [
    { name: 'query', parameter: { name: 'q', in: 'query', type: 'string', uniqueItems: true }, path: ['parameter', 'non_body_parameter', 'query_parameter_sub_schema'], want: { name: 'q', in: 'query', type: 'string', unique_items: true } },
    { name: 'path', parameter: { name: 'name', in: 'path', required: true, type: 'string' }, path: ['parameter', 'non_body_parameter', 'path_parameter_sub_schema'], want: { name: 'name', in: 'path', required: true, type: 'string' } },
    { name: 'header', parameter: { name: 'h', in: 'header', type: 'integer', maximum: 5 }, path: ['parameter', 'non_body_parameter', 'header_parameter_sub_schema'], want: { name: 'h', in: 'header', type: 'integer', maximum: 5 } },
    { name: 'formData', parameter: { name: 'f', in: 'formData', type: 'file', allowEmptyValue: true }, path: ['parameter', 'non_body_parameter', 'form_data_parameter_sub_schema'], want: { name: 'f', in: 'formData', type: 'file', allow_empty_value: true } },
    { name: 'body', parameter: { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/x.Y' } }, path: ['parameter', 'body_parameter'], want: { name: 'body', in: 'body', required: true, schema: { _ref: '#/definitions/x.Y' } } },
    { name: 'reference', parameter: { $ref: '#/parameters/pretty' }, path: ['json_reference'], want: { _ref: '#/parameters/pretty' } },
  ];
  for (const tc of parameterCases) {
    it(`puts a ${tc.name} parameter in its oneof`, () => {
      const d = decodeDocument({ swagger: '2.0', paths: { '/x': { get: { parameters: [tc.parameter], responses: {} } } } });
      const item = at(named(at(d, 'paths').path, '/x'), 'get', 'parameters', 0);
      expect(at(item, ...tc.path)).to.deep.equal(tc.want);
    });
  }

  const securityCases: { name: string; definition: object; member: string }[] = [
    { name: 'basic', definition: { type: 'basic' }, member: 'basic_authentication_security' },
    { name: 'apiKey', definition: { type: 'apiKey', name: 'authorization', in: 'header' }, member: 'api_key_security' },
    { name: 'oauth2 implicit', definition: { type: 'oauth2', flow: 'implicit', authorizationUrl: 'https://a', scopes: { read: 'r' } }, member: 'oauth2_implicit_security' },
    { name: 'oauth2 accessCode', definition: { type: 'oauth2', flow: 'accessCode', authorizationUrl: 'https://a', tokenUrl: 'https://t' }, member: 'oauth2_access_code_security' },
  ];
  for (const tc of securityCases) {
    it(`puts a ${tc.name} security definition in its oneof`, () => {
      const d = decodeDocument({ swagger: '2.0', securityDefinitions: { s: tc.definition } });
      const item = named(at(d, 'security_definitions').additional_properties, 's');
      expect(Object.keys(item)).to.deep.equal([tc.member]);
      expect(at(item, tc.member).type).to.equal((tc.definition as { type: string }).type);
    });
  }

  const schemaCases: { name: string; schema: object; check: (s: Decoded) => void }[] = [
    {
      name: 'vendor extensions are YAML that reads back as the value',
      schema: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-map-keys': ['a', 'b'], 'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Pod' }] },
      check: (s) => {
        const ext = s.vendor_extension as Decoded[];
        expect(ext.map((e) => e.name)).to.deep.equal(['x-kubernetes-list-map-keys', 'x-kubernetes-group-version-kind']);
        expect(load(at(ext[1], 'value').yaml as string)).to.deep.equal([{ group: '', version: 'v1', kind: 'Pod' }]);
      },
    },
    {
      name: 'type is a TypeItem and items an ItemsItem',
      schema: { type: 'array', items: { type: 'integer', format: 'int32' } },
      check: (s) => {
        expect(s.type).to.deep.equal({ value: ['array'] });
        expect(s.items).to.deep.equal({ schema: [{ type: { value: ['integer'] }, format: 'int32' }] });
      },
    },
    {
      name: 'additionalProperties is a schema or a boolean',
      schema: { type: 'object', properties: { m: { type: 'object', additionalProperties: { type: 'string' } }, a: { type: 'object', additionalProperties: true } } },
      check: (s) => {
        const props = at(s, 'properties').additional_properties;
        expect(named(props, 'm').additional_properties).to.deep.equal({ schema: { type: { value: ['string'] } } });
        expect(named(props, 'a').additional_properties).to.deep.equal({ boolean: true });
      },
    },
    {
      name: 'default, enum and example are free-form YAML',
      schema: { type: 'string', default: 'Always', enum: ['Always', 'Never'], example: 'Never' },
      check: (s) => {
        expect(load(at(s, 'default').yaml as string)).to.equal('Always');
        expect((s.enum as Decoded[]).map((a) => load(a.yaml as string))).to.deep.equal(['Always', 'Never']);
        expect(load(at(s, 'example').yaml as string)).to.equal('Never');
      },
    },
    {
      name: 'a reference keeps its description beside it',
      schema: { $ref: '#/definitions/x.Y', description: 'why' },
      check: (s) => expect(s).to.deep.equal({ _ref: '#/definitions/x.Y', description: 'why' }),
    },
  ];
  for (const tc of schemaCases) {
    it(tc.name, () => {
      const d = decodeDocument({ swagger: '2.0', definitions: { s: tc.schema } });
      tc.check(named(at(d, 'definitions').additional_properties, 's'));
    });
  }

  it('writes responses with their schema, headers and examples, and file schemas apart', () => {
    const d = decodeDocument({
      swagger: '2.0',
      paths: {
        '/x': {
          get: {
            responses: {
              '200': { description: 'OK', schema: { $ref: '#/definitions/x.Y' }, headers: { 'X-Rate': { type: 'integer' } }, examples: { 'application/json': { a: 1 } } },
              '201': { description: 'file', schema: { type: 'file' } },
              default: { $ref: '#/responses/err' },
            },
          },
        },
      },
    });
    const codes = at(named(at(d, 'paths').path, '/x'), 'get', 'responses').response_code as Decoded[];
    expect(codes.map((c) => c.name)).to.deep.equal(['200', '201', 'default']);
    const ok = at(codes[0], 'value', 'response');
    expect(at(ok, 'schema', 'schema')._ref).to.equal('#/definitions/x.Y');
    expect(named(at(ok, 'headers').additional_properties, 'X-Rate')).to.deep.equal({ type: 'integer' });
    expect(load(named(at(ok, 'examples').additional_properties, 'application/json').yaml as string)).to.deep.equal({ a: 1 });
    expect(at(codes[1], 'value', 'response', 'schema', 'file_schema').type).to.equal('file');
    expect(at(codes[2], 'value', 'json_reference')._ref).to.equal('#/responses/err');
  });

  it('drops keys gnostic has no field for, keeping x- extensions', () => {
    const tree = swaggerToGnostic({ swagger: '2.0', notAField: 1, 'x-custom': { a: 1 } });
    expect(tree).to.not.have.property('notAField');
    expect(tree.vendor_extension).to.deep.equal([{ name: 'x-custom', value: { yaml: 'a: 1\n' } }]);
  });
});
