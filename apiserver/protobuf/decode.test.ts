import { expect } from 'chai';
import protobuf from 'protobufjs/minimal.js';
import { builtinResources } from '../../common/api/resources.js';
import { ApiError } from '../../common/errors.js';
import { decodeProtobufObject } from './decode.js';
import { messageDescriptor } from './descriptors.js';
import { encodeMessage, type MessageValue } from './encode.js';
import { encodeProtobufObject, envelope, objectToMessage } from './encodeObject.js';
import { protobufFixtures } from './fixtures.js';
import { formatGoDuration, parseGoDuration } from './goTime.js';
import { messageToJson } from './json.js';
import { requestBodyKind, type BodyKind } from './kinds.js';

const opts = { maxDepth: 100 };
const core = (kind: string): BodyKind => ({ group: '', version: 'v1', kind });
const pod = (spec: MessageValue, metadata: MessageValue = { name: 'p' }): Uint8Array => envelope('v1', 'Pod', encodeMessage('k8s.io.api.core.v1.Pod', { metadata, spec }));
const decode = (body: Uint8Array, expected: BodyKind | undefined, o = opts): Record<string, unknown> => decodeProtobufObject(body, expected, o);

/** Reads a dotted path (`spec.containers.0.resources`) of a decoded object. */
const field = (path: string) => (o: unknown): unknown => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);

/** What decoding fails with: the 400's message and causes. */
function failure(fn: () => unknown): { code: number; message: string; fields: string[] } {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return { code: e.code, message: e.message, fields: (e.details.causes ?? []).map((c) => c.field ?? '') };
  }
  throw new Error('expected the decode to fail');
}

/**
 * What Go's generated Marshal writes for the same value: every non-pointer field, zeros
 * included (non-pointer structs too, empty). Decoding it must still give the JSON back.
 */
function asGoWritesIt(typeName: string, tree: MessageValue): MessageValue {
  if (['k8s.io.apimachinery.pkg.api.resource.Quantity', 'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1', 'k8s.io.apimachinery.pkg.runtime.RawExtension'].includes(typeName)) return tree;
  // Time's own Marshal writes nothing for the zero time.
  if (/meta\.v1\.(Micro)?Time$/.test(typeName) && Object.keys(tree).length === 0) return tree;
  const out: MessageValue = { ...tree };
  for (const f of messageDescriptor(typeName).fields) {
    const v = out[f.name];
    if (f.kind === 'message') {
      const entry = messageDescriptor(f.typeName!).mapEntry;
      if (v === undefined && f.nonNullable && !f.repeated) out[f.name] = asGoWritesIt(f.typeName!, {});
      else if (Array.isArray(v)) out[f.name] = v.map((x) => asGoWritesIt(f.typeName!, x as MessageValue));
      else if (v !== undefined && !f.repeated) out[f.name] = asGoWritesIt(f.typeName!, v as MessageValue);
      else if (v !== undefined && entry) {
        const valueField = messageDescriptor(f.typeName!).fields.find((x) => x.number === 2)!;
        if (valueField.kind === 'message') out[f.name] = Object.fromEntries(Object.entries(v as MessageValue).map(([k, x]) => [k, asGoWritesIt(valueField.typeName!, x as MessageValue)]));
      }
      continue;
    }
    if (v === undefined && f.nonNullable && !f.repeated) out[f.name] = f.kind === 'string' ? '' : f.kind === 'bool' ? false : f.kind === 'bytes' ? new Uint8Array() : 0;
  }
  return out;
}

describe('protobuf request bodies', () => {
  describe('round trip of every kind a body may carry (JSON -> protobuf as Go writes it -> JSON)', () => {
    const kinds = [...builtinResources.map((r) => r.kind), 'Binding', 'Eviction', 'Scale', 'DeleteOptions'];
    for (const kind of kinds) {
      it(kind, () => {
        const obj = protobufFixtures[kind];
        expect(obj, `a fixture for ${kind} in fixtures.ts`).to.be.an('object');
        const { messageName, tree } = objectToMessage(obj!);
        const asGo = envelope(obj!.apiVersion as string, kind, encodeMessage(messageName, asGoWritesIt(messageName, tree)));
        const resource = builtinResources.find((r) => r.kind === kind);
        const expected = resource ? requestBodyKind(resource, 'create', undefined) : undefined;
        expect(decode(asGo, expected)).to.deep.equal(obj);
        expect(decode(encodeProtobufObject(obj!), expected)).to.deep.equal(obj);
      });
    }
  });

  describe('special types', () => {
    const ctr = (c: MessageValue): MessageValue => ({ containers: [{ name: 'c', ...c }] });
    const cases: { name: string; body: Uint8Array; expected?: BodyKind; at: (o: Record<string, unknown>) => unknown; want: unknown }[] = [
      {
        name: 'Quantity is its string',
        body: pod(ctr({ resources: { limits: { cpu: { string: '500m' }, memory: { string: '1Gi' } } } })),
        at: field('spec.containers.0.resources'),
        want: { limits: { cpu: '500m', memory: '1Gi' } },
      },
      { name: 'Quantity without its string is 0', body: pod(ctr({ resources: { requests: { cpu: {} } } })), at: field('spec.containers.0.resources'), want: { requests: { cpu: '0' } } },
      { name: 'IntOrString int', body: pod(ctr({ readinessProbe: { handler: { tcpSocket: { port: { type: 0, intVal: 8080, strVal: '' } } } } })), at: field('spec.containers.0.readinessProbe'), want: { tcpSocket: { port: 8080 } } },
      { name: 'IntOrString string', body: pod(ctr({ readinessProbe: { handler: { tcpSocket: { port: { type: 1, intVal: 0, strVal: 'http' } } } } })), at: field('spec.containers.0.readinessProbe'), want: { tcpSocket: { port: 'http' } } },
      { name: 'IntOrString zero (a non-pointer field Go always writes) is 0', body: pod(ctr({ readinessProbe: { handler: { tcpSocket: { port: {} } } } })), at: field('spec.containers.0.readinessProbe'), want: { tcpSocket: { port: 0 } } },
      { name: 'Time is RFC 3339 in whole seconds', body: pod({}, { name: 'p', creationTimestamp: { seconds: 1_796_612_645, nanos: 999_000_000 } }), at: field('metadata'), want: { name: 'p', creationTimestamp: '2026-12-07T03:04:05Z' } },
      { name: 'zero Time (empty message) is left out, as JSON writes null', body: pod({}, { name: 'p', creationTimestamp: {} }), at: field('metadata'), want: { name: 'p' } },
      { name: 'zero Time written as 0001-01-01 is left out', body: pod({}, { name: 'p', creationTimestamp: { seconds: -62135596800, nanos: 0 } }), at: field('metadata'), want: { name: 'p' } },
      { name: 'Time before 1970', body: pod({}, { name: 'p', deletionTimestamp: { seconds: -1, nanos: 0 } }), at: field('metadata.deletionTimestamp'), want: '1969-12-31T23:59:59Z' },
      {
        name: 'MicroTime keeps six fraction digits, truncated',
        body: envelope('coordination.k8s.io/v1', 'Lease', encodeMessage('k8s.io.api.coordination.v1.Lease', { metadata: { name: 'l' }, spec: { renewTime: { seconds: 1_796_612_645, nanos: 123_456_789 }, acquireTime: { seconds: 0, nanos: 0 } } })),
        expected: { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' },
        at: field('spec'),
        want: { renewTime: '2026-12-07T03:04:05.123456Z', acquireTime: '1970-01-01T00:00:00.000000Z' },
      },
      {
        name: 'RawExtension holding JSON is that JSON',
        body: envelope('apps/v1', 'ControllerRevision', encodeMessage('k8s.io.api.apps.v1.ControllerRevision', { metadata: { name: 'r' }, data: { raw: Buffer.from('{"spec":{"template":{"a":[1,2]}}}') }, revision: 2 })),
        expected: { group: 'apps', version: 'v1', kind: 'ControllerRevision' },
        at: (o) => o,
        want: { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, data: { spec: { template: { a: [1, 2] } } }, revision: 2 },
      },
      {
        name: 'RawExtension holding a protobuf object is that object',
        body: envelope('apps/v1', 'ControllerRevision', encodeMessage('k8s.io.api.apps.v1.ControllerRevision', { metadata: { name: 'r' }, data: { raw: encodeProtobufObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } }) } })),
        expected: { group: 'apps', version: 'v1', kind: 'ControllerRevision' },
        at: field('data'),
        want: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } },
      },
      {
        name: 'FieldsV1 (managedFields) is its JSON',
        body: pod({}, { name: 'p', managedFields: [{ manager: 'm', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { Raw: Buffer.from('{"f:spec":{}}') }, subresource: '' }] }),
        at: field('metadata.managedFields'),
        want: [{ manager: 'm', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }],
      },
      {
        name: 'bytes (Secret.data) are base64, maps are objects',
        body: envelope('v1', 'Secret', encodeMessage('k8s.io.api.core.v1.Secret', { metadata: { name: 's', labels: { a: '1', b: '' } }, data: { k: Uint8Array.from([0, 255, 1]), e: new Uint8Array() }, type: '' })),
        expected: core('Secret'),
        at: (o) => o,
        want: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', labels: { a: '1', b: '' } }, data: { k: 'AP8B', e: '' } },
      },
      {
        name: 'a map key __proto__ is data, not a prototype',
        body: envelope('v1', 'ConfigMap', encodeMessage('k8s.io.api.core.v1.ConfigMap', { metadata: { name: 'c' }, data: { ['__proto__']: 'x', polluted: 'y' } })),
        expected: core('ConfigMap'),
        at: (o) => {
          const data = (o as { data: Record<string, unknown> }).data;
          return { own: Object.keys(data), proto: Object.getPrototypeOf(data) === Object.prototype, json: JSON.stringify(data) };
        },
        want: { own: ['__proto__', 'polluted'], proto: true, json: '{"__proto__":"x","polluted":"y"}' },
      },
      {
        name: 'invalid UTF-8 in a string is taken and becomes U+FFFD, as Go\'s JSON writes it',
        // ConfigMap.data (2) entry { key (1) "k", value (2) 0xff 0x61 }
        body: Buffer.concat([Buffer.from('k8s\0'), Buffer.from(encodeMessage('k8s.io.apimachinery.pkg.runtime.Unknown', { typeMeta: { apiVersion: 'v1', kind: 'ConfigMap' }, raw: Buffer.from([0x12, 0x07, 0x0a, 0x01, 0x6b, 0x12, 0x02, 0xff, 0x61]) }))]),
        expected: core('ConfigMap'),
        at: field('data'),
        want: { k: '\ufffda' },
      },
      {
        name: 'a map entry without a value has the zero value',
        body: envelope('v1', 'ConfigMap', Buffer.from([0x0a, 0x03, 0x0a, 0x01, 0x63, 0x12, 0x03, 0x0a, 0x01, 0x6b])),
        expected: core('ConfigMap'),
        at: field('data'),
        want: { k: '' },
      },
      {
        name: 'zero of a pointer field is kept, zero of a non-pointer omitempty field is not, of a required one is',
        body: envelope('scheduling.k8s.io/v1', 'PriorityClass', encodeMessage('k8s.io.api.scheduling.v1.PriorityClass', { metadata: { name: 'p', generation: 0, namespace: '' }, value: 0, globalDefault: false, description: '' })),
        expected: { group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass' },
        at: (o) => o,
        want: { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'p' }, value: 0 },
      },
      {
        name: 'pointer zeros: replicas 0, automountServiceAccountToken false, runAsUser 0',
        body: envelope('apps/v1', 'Deployment', encodeMessage('k8s.io.api.apps.v1.Deployment', { metadata: { name: 'd' }, spec: { replicas: 0, template: { spec: { automountServiceAccountToken: false, securityContext: { runAsUser: 0 } } } } })),
        expected: { group: 'apps', version: 'v1', kind: 'Deployment' },
        at: field('spec'),
        want: { replicas: 0, template: { spec: { automountServiceAccountToken: false, securityContext: { runAsUser: 0 } } } },
      },
      {
        name: 'repeated int64, packed as well as unpacked',
        body: (() => {
          // PodSecurityContext.supplementalGroups (4): packed [1, 2], then unpacked 3
          const sc = protobuf.Writer.create().uint32((4 << 3) | 2).fork().int64(1).int64(2).ldelim().uint32(4 << 3).int64(3).finish();
          const spec = protobuf.Writer.create().uint32((14 << 3) | 2).bytes(sc).finish(); // PodSpec.securityContext (14)
          return envelope('v1', 'Pod', protobuf.Writer.create().uint32((2 << 3) | 2).bytes(spec).finish()); // Pod.spec (2)
        })(),
        at: field('spec'),
        want: { securityContext: { supplementalGroups: [1, 2, 3] } },
      },
      {
        name: 'a message field seen twice is merged; unknown fields are skipped',
        body: envelope('v1', 'Pod', Buffer.concat([Buffer.from(encodeMessage('k8s.io.api.core.v1.Pod', { metadata: { name: 'p' } })), Buffer.from(encodeMessage('k8s.io.api.core.v1.Pod', { metadata: { namespace: 'n' } })), Buffer.from([0xf8, 0x3e, 0x05, 0xfa, 0x3e, 0x01, 0x00])])),
        at: field('metadata'),
        want: { name: 'p', namespace: 'n' },
      },
      {
        name: 'an inline Go struct (Volume.volumeSource) is flattened',
        body: pod({ volumes: [{ name: 'v', volumeSource: { emptyDir: {} } }] }),
        at: field('spec.volumes'),
        want: [{ name: 'v', emptyDir: {} }],
      },
      {
        name: 'typeMeta may be left out: the URL gives the kind',
        body: Buffer.concat([Buffer.from('k8s\0'), Buffer.from(encodeMessage('k8s.io.apimachinery.pkg.runtime.Unknown', { raw: encodeMessage('k8s.io.api.core.v1.Namespace', { metadata: { name: 'n' } }) }))]),
        expected: core('Namespace'),
        at: (o) => o,
        want: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } },
      },
      {
        name: 'DeleteOptions as client-go sends them for apps/v1',
        body: envelope('apps/v1', 'DeleteOptions', encodeMessage('k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions', { propagationPolicy: 'Background' })),
        expected: requestBodyKind(builtinResources.find((r) => r.kind === 'Deployment')!, 'delete', undefined),
        at: (o) => o,
        want: { apiVersion: 'apps/v1', kind: 'DeleteOptions', propagationPolicy: 'Background' },
      },
      {
        name: 'policy/v1beta1 Eviction is taken too',
        body: envelope('policy/v1beta1', 'Eviction', encodeMessage('k8s.io.api.policy.v1beta1.Eviction', { metadata: { name: 'p' } })),
        expected: requestBodyKind(builtinResources.find((r) => r.kind === 'Pod')!, 'create', 'eviction'),
        at: (o) => o,
        want: { apiVersion: 'policy/v1beta1', kind: 'Eviction', metadata: { name: 'p' } },
      },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        expect(tc.at(decode(tc.body, tc.expected ?? core('Pod')))).to.deep.equal(tc.want);
      });
    }

    const durations: [number, string][] = [[0, '0s'], [1, '1ns'], [1500, '1.5µs'], [2_000_000, '2ms'], [1_500_000_000, '1.5s'], [61e9, '1m1s'], [3600e9, '1h0m0s'], [-90e9, '-1m30s'], [3723.5e9, '1h2m3.5s']];
    for (const [ns, text] of durations) {
      it(`Duration ${ns}ns is ${text}, and back`, () => {
        expect(messageToJson('k8s.io.apimachinery.pkg.apis.meta.v1.Duration', { duration: ns }, '', { maxDepth: 10, nested: () => undefined })).to.equal(text);
        expect(formatGoDuration(ns)).to.equal(text);
        expect(Number(parseGoDuration(text))).to.equal(ns);
      });
    }
  });

  describe('bad bodies are 400s that say what is wrong', () => {
    const { messageName, tree } = objectToMessage(protobufFixtures.Deployment!);
    const deploymentRaw = encodeMessage(messageName, tree);
    const ns = encodeProtobufObject(protobufFixtures.Namespace!);
    const cases: { name: string; body: Uint8Array; expected?: BodyKind; message: string | RegExp; field?: string; maxDepth?: number }[] = [
      { name: 'JSON sent as protobuf', body: Buffer.from('{"kind":"Namespace"}'), expected: core('Namespace'), message: 'the object provided is unrecognized (must be of type Namespace): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] ({"kind":"Namespace"})' },
      { name: 'wrong magic', body: Buffer.from('k9s\0abc'), expected: core('Namespace'), message: 'the object provided is unrecognized (must be of type Namespace): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] (6b397300616263)' },
      { name: 'empty', body: new Uint8Array(), expected: core('Namespace'), message: 'the object provided is unrecognized (must be of type Namespace): empty data (<empty>)' },
      { name: 'magic only', body: Buffer.from('k8s\0'), expected: core('Namespace'), message: /must be of type Namespace\): empty body/ },
      { name: 'truncated envelope', body: ns.subarray(0, 20), expected: core('Namespace'), message: /^the object provided is unrecognized \(must be of type Namespace\): unexpected EOF/ },
      { name: 'truncated object', body: envelope('apps/v1', 'Deployment', deploymentRaw.subarray(0, deploymentRaw.length - 5)), expected: { group: 'apps', version: 'v1', kind: 'Deployment' }, message: /^Deployment in version "v1" cannot be handled as a Deployment: unexpected EOF/, field: 'status' },
      { name: 'a kind that does not match the URL', body: encodeProtobufObject(protobufFixtures.ConfigMap!), expected: core('Namespace'), message: 'ConfigMap in version "v1" cannot be handled as a Namespace: converting (v1.ConfigMap) to (core.Namespace): unknown conversion' },
      { name: 'an unknown type', body: envelope('v1', 'Gadget', new Uint8Array()), expected: core('Namespace'), message: 'Gadget in version "v1" cannot be handled as a Namespace: no kind "Gadget" is registered for version "v1"' },
      { name: 'a known kind of another group version', body: envelope('apps/v1beta2', 'Deployment', new Uint8Array()), expected: { group: 'apps', version: 'v1', kind: 'Deployment' }, message: 'the API version in the data (apps/v1beta2) does not match the expected API version (apps/v1)' },
      { name: 'wrong wire type for a field', body: envelope('v1', 'Namespace', Buffer.from([0x0a, 0x02, 0x08, 0x01])), expected: core('Namespace'), message: /proto: wrong wireType = 0 for field name/, field: 'metadata.name' },
      { name: 'illegal wire type', body: envelope('v1', 'Namespace', Buffer.from([0x0a, 0x02, 0xfe, 0x01])), expected: core('Namespace'), message: /proto: illegal wireType 6/, field: 'metadata' },
      { name: 'a group (wire type 3) is refused', body: envelope('v1', 'Namespace', Buffer.from([0x7b, 0x0c])), expected: core('Namespace'), message: /illegal wireType 3/ },
      { name: 'a length past the end', body: envelope('v1', 'Namespace', Buffer.from([0x0a, 0x05, 0x0a, 0x10, 0x61])), expected: core('Namespace'), message: /unexpected EOF/, field: 'metadata' },
      { name: 'IntOrString of an unknown type', body: pod({ containers: [{ name: 'c', readinessProbe: { handler: { tcpSocket: { port: { type: 7 } } } } }] }), message: /invalid IntOrString type 7/, field: 'spec.containers[0].readinessProbe.tcpSocket.port' },
      { name: 'a malformed Quantity', body: pod({ containers: [{ name: 'c', resources: { limits: { cpu: { string: 'lots' } } } }] }), message: /quantities must match the regular expression/, field: 'spec.containers[0].resources.limits[cpu]' },
      { name: 'a RawExtension that is not JSON', body: envelope('apps/v1', 'ControllerRevision', encodeMessage('k8s.io.api.apps.v1.ControllerRevision', { data: { raw: Buffer.from('{nope') } })), expected: { group: 'apps', version: 'v1', kind: 'ControllerRevision' }, message: /the embedded object is not valid JSON/, field: 'data' },
      { name: 'a time out of range', body: pod({}, { creationTimestamp: { seconds: 9e15 } }), message: /time out of range/, field: 'metadata.creationTimestamp' },
      { name: 'nesting deeper than the bound', body: encodeProtobufObject(protobufFixtures.Deployment!), expected: { group: 'apps', version: 'v1', kind: 'Deployment' }, maxDepth: 3, message: /nests deeper than 3 levels/, field: 'spec.template.' },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        const f = failure(() => decode(tc.body, tc.expected ?? core('Pod'), { maxDepth: tc.maxDepth ?? 100 }));
        expect(f.code).to.equal(400);
        if (typeof tc.message === 'string') expect(f.message).to.equal(tc.message);
        else expect(f.message).to.match(tc.message);
        if (tc.field) expect(f.fields[0] ?? '').to.satisfy((p: string) => p.startsWith(tc.field!), `field path ${JSON.stringify(f.fields)} starts with ${tc.field}`);
      });
    }

    it('random truncations and corruptions of every fixture never escape as anything but a 400', () => {
      let seed = 7;
      const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
      for (const obj of Object.values(protobufFixtures)) {
        const body = encodeProtobufObject(obj);
        for (let i = 0; i < 60; i++) {
          const cut = Buffer.from(body.subarray(0, 4 + rand(body.length - 4)));
          if (i % 2) cut[4 + rand(Math.max(1, cut.length - 4))] = rand(256);
          try {
            decode(cut, undefined);
          } catch (e) {
            expect(e, String(e)).to.be.instanceOf(ApiError);
            expect((e as ApiError).code).to.equal(400);
          }
        }
      }
    });
  });
});
