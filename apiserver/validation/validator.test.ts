import { expect } from 'chai';
import { BadRequestError, InvalidError } from '../../common/errors.js';
import { builtinResources } from '../../common/api/resources.js';
import { definitions } from '../../common/schemas/index.js';
import { createValidator, unknownFieldReason, validationError } from './index.js';

const POD = 'io.k8s.api.core.v1.Pod';
const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';
const SERVICE = 'io.k8s.api.core.v1.Service';

type Obj = Record<string, unknown>;

function pod(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, creationTimestamp: '2024-05-01T10:00:00Z' },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'registry.local/web:1',
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          env: [{ name: 'MODE', value: 'prod' }],
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: 1, memory: '128Mi' } },
          readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
        },
      ],
      volumes: [{ name: 'scratch', emptyDir: { sizeLimit: '1Gi' } }],
    },
  };
}

function deployment(): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } },
    },
  };
}

function service(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'alt', port: 81, targetPort: 'http' }] },
  };
}

/** Sets a value at a dotted path with [i] indexes, creating nothing: the path must exist up to its parent. */
function set(obj: Obj, path: string, value: unknown): Obj {
  const segs = path.split(/\.|\[(\d+)\]/).filter((s) => s !== undefined && s !== '');
  let cur: Record<string, unknown> = obj;
  for (const s of segs.slice(0, -1)) cur = cur[s] as Record<string, unknown>;
  cur[segs[segs.length - 1]!] = value;
  return obj;
}

function del(obj: Obj, path: string): Obj {
  const segs = path.split(/\.|\[(\d+)\]/).filter((s) => s !== undefined && s !== '');
  let cur: Record<string, unknown> = obj;
  for (const s of segs.slice(0, -1)) cur = cur[s] as Record<string, unknown>;
  delete cur[segs[segs.length - 1]!];
  return obj;
}

interface Case {
  name: string;
  definition: string;
  obj: Obj;
  strict?: boolean;
  /** Expected causes as `reason field`, in any order. */
  causes: string[];
  /** A substring each listed cause's message must contain, by field. */
  messages?: Record<string, string>;
}

const cases: Case[] = [
  { name: 'valid pod', definition: POD, obj: pod(), causes: [] },
  { name: 'valid deployment', definition: DEPLOYMENT, obj: deployment(), causes: [] },
  { name: 'valid service with int and string target ports', definition: SERVICE, obj: service(), causes: [] },
  {
    name: 'missing container name',
    definition: POD,
    obj: del(pod(), 'spec.containers[0].name'),
    causes: ['FieldValueRequired spec.containers[0].name'],
    messages: { 'spec.containers[0].name': 'Required value' },
  },
  { name: 'missing containers list', definition: POD, obj: del(pod(), 'spec.containers'), causes: ['FieldValueRequired spec.containers'] },
  {
    name: 'replicas as a word',
    definition: DEPLOYMENT,
    obj: set(deployment(), 'spec.replicas', 'three'),
    causes: ['FieldValueTypeInvalid spec.replicas'],
    messages: { 'spec.replicas': 'Invalid value: "string": spec.replicas in body must be of type integer: "string"' },
  },
  {
    name: 'every error is reported, with nested indexes',
    definition: DEPLOYMENT,
    obj: set(
      set(set(deployment(), 'spec.replicas', 'three'), 'spec.template.spec.containers', [
        { name: 'a', image: 'a', ports: [{ containerPort: 80 }, { containerPort: '81' }] },
        { image: 'b', env: [{ value: 'x' }] },
      ]),
      'spec.paused',
      'yes',
    ),
    causes: [
      'FieldValueTypeInvalid spec.replicas',
      'FieldValueTypeInvalid spec.paused',
      'FieldValueTypeInvalid spec.template.spec.containers[0].ports[1].containerPort',
      'FieldValueRequired spec.template.spec.containers[1].name',
      'FieldValueRequired spec.template.spec.containers[1].env[0].name',
    ],
  },
  {
    name: 'unknown fields under strict, all of them',
    definition: POD,
    obj: set(set(pod(), 'spec.foo', 1), 'spec.containers[0].imagePullPolcy', 'Always'),
    strict: true,
    causes: [`${unknownFieldReason} spec.foo`, `${unknownFieldReason} spec.containers[0].imagePullPolcy`],
    messages: { 'spec.foo': 'unknown field "spec.foo"' },
  },
  { name: 'unknown fields are pruned without strict', definition: POD, obj: set(set(pod(), 'spec.foo', 1), 'bar', {}), causes: [] },
  { name: 'unknown top-level field under strict', definition: SERVICE, obj: set(service(), 'sepc', {}), strict: true, causes: [`${unknownFieldReason} sepc`] },
  { name: 'map keys are not unknown fields', definition: POD, obj: set(pod(), 'metadata.labels', { anything: 'goes', 'x.io/y': 'z' }), strict: true, causes: [] },
  { name: 'nulls are unset fields', definition: POD, obj: set(set(pod(), 'metadata.creationTimestamp', null), 'status', null), strict: true, causes: [] },
  { name: 'null required field is missing', definition: POD, obj: set(pod(), 'spec.containers', null), causes: ['FieldValueRequired spec.containers'] },
  {
    name: 'bad quantities',
    definition: POD,
    obj: set(set(pod(), 'spec.containers[0].resources.limits', { cpu: '1.2.3', memory: '5GB' }), 'spec.volumes[0].emptyDir.sizeLimit', 'abc'),
    causes: [
      'FieldValueInvalid spec.containers[0].resources.limits[cpu]',
      'FieldValueInvalid spec.containers[0].resources.limits[memory]',
      'FieldValueInvalid spec.volumes[0].emptyDir.sizeLimit',
    ],
    messages: { 'spec.containers[0].resources.limits[memory]': 'Invalid value: "5GB": quantities must match the regular expression' },
  },
  { name: 'quantity as a boolean', definition: POD, obj: set(pod(), 'spec.containers[0].resources.requests', { cpu: true }), causes: ['FieldValueInvalid spec.containers[0].resources.requests[cpu]'] },
  { name: 'numeric quantities', definition: POD, obj: set(pod(), 'spec.containers[0].resources.requests', { cpu: 0.5, memory: 1e9 }), causes: [] },
  {
    name: 'int-or-string port given a boolean and a fraction',
    definition: SERVICE,
    obj: set(set(service(), 'spec.ports[0].targetPort', true), 'spec.ports[1].targetPort', 1.5),
    causes: ['FieldValueTypeInvalid spec.ports[0].targetPort', 'FieldValueTypeInvalid spec.ports[1].targetPort'],
  },
  { name: 'int32 out of range', definition: SERVICE, obj: set(service(), 'spec.ports[0].port', 2 ** 40), causes: ['FieldValueInvalid spec.ports[0].port'] },
  { name: 'bad timestamp', definition: POD, obj: set(pod(), 'metadata.creationTimestamp', 'yesterday'), causes: ['FieldValueInvalid metadata.creationTimestamp'] },
  { name: 'label value of the wrong type', definition: POD, obj: set(pod(), 'metadata.labels', { app: 7 }), causes: ['FieldValueTypeInvalid metadata.labels[app]'] },
  { name: 'list given an object', definition: POD, obj: set(pod(), 'spec.containers', { name: 'c' }), causes: ['FieldValueTypeInvalid spec.containers'] },
  {
    name: 'required fields are not enforced under status, types are',
    definition: POD,
    obj: set(pod(), 'status', { phase: 'Running', containerStatuses: [{ name: 'web', ready: 'yes' }], conditions: [{ status: 'True' }] }),
    causes: ['FieldValueTypeInvalid status.containerStatuses[0].ready'],
  },
  {
    name: 'secret data must be base64',
    definition: 'io.k8s.api.core.v1.Secret',
    obj: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { good: 'aGVsbG8=', bad: 'not base64!' } },
    causes: ['FieldValueInvalid data[bad]'],
  },
];

describe('createValidator', () => {
  const validator = createValidator(definitions);

  for (const tc of cases) {
    it(tc.name, () => {
      const before = JSON.stringify(tc.obj);
      const result = validator.validate(tc.definition, tc.obj, { strictFields: tc.strict ?? false });
      expect(result.causes.map((c) => `${c.reason} ${c.field}`)).to.have.members(tc.causes);
      expect(result.causes).to.have.lengthOf(tc.causes.length);
      for (const [field, text] of Object.entries(tc.messages ?? {})) {
        const cause = result.causes.find((c) => c.field === field);
        expect(cause?.message, field).to.include(text);
      }
      expect(JSON.stringify(tc.obj), 'input is not modified').to.equal(before);
    });
  }

  it('prunes unknown and null fields into a copy and reports their paths', () => {
    const obj = set(set(set(pod(), 'spec.foo', 1), 'spec.containers[0].bar', { x: 1 }), 'metadata.creationTimestamp', null);
    const result = validator.validate(POD, obj, { strictFields: false });
    expect(result.causes).to.deep.equal([]);
    expect(result.unknownFields).to.have.members(['spec.foo', 'spec.containers[0].bar']);
    expect(result.pruned).to.deep.equal(del(pod(), 'metadata.creationTimestamp'));
    expect((obj.spec as Obj).foo, 'input kept').to.equal(1);
  });

  it('returns the input itself when nothing is pruned', () => {
    const obj = pod();
    expect(validator.validate(POD, obj, { strictFields: true }).pruned).to.equal(obj);
  });

  it('keeps nulls inside preserve-unknown-fields values', () => {
    const event = {
      type: 'ADDED',
      object: { kind: 'Pod', metadata: { creationTimestamp: null } },
    };
    const result = validator.validate('io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent', event, { strictFields: true });
    expect(result.causes).to.deep.equal([]);
    expect(result.pruned).to.equal(event);
  });

  it('compiles every built-in kind and list', () => {
    const names = builtinResources.flatMap((r) => [r.definition, `${r.definition}List`]);
    validator.precompile(names);
    for (const name of names) expect(validator.validate(name, { metadata: {} }, { strictFields: true }).causes.map((c) => c.field)).to.not.include(undefined);
  });

  it('throws for an unknown definition', () => {
    expect(validator.has('io.k8s.api.core.v1.Nope')).to.equal(false);
    expect(() => validator.validate('io.k8s.api.core.v1.Nope', {}, { strictFields: false })).to.throw(/no schema definition/);
  });
});

describe('validationError', () => {
  const validator = createValidator(definitions);
  const target = { kind: 'Deployment', group: 'apps', version: 'v1', name: 'web' };

  const cases: { name: string; obj: Obj; strict: boolean; want?: { cls: typeof BadRequestError | typeof InvalidError; code: number; message: string } }[] = [
    { name: 'valid: no error', obj: deployment(), strict: true },
    {
      name: 'strict unknown fields: 400 strict decoding error listing all of them',
      obj: set(set(deployment(), 'spec.foo', 1), 'spec.bar', 2),
      strict: true,
      want: {
        cls: BadRequestError,
        code: 400,
        message: 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo", unknown field "spec.bar"',
      },
    },
    {
      name: 'type errors: 422 Invalid',
      obj: set(deployment(), 'spec.replicas', 'three'),
      strict: true,
      want: {
        cls: InvalidError,
        code: 422,
        message: 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
      },
    },
    { name: 'unknown fields without strict: pruned, no error', obj: set(deployment(), 'spec.foo', 1), strict: false },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const err = validationError(validator.validate(DEPLOYMENT, tc.obj, { strictFields: tc.strict }), target);
      if (!tc.want) {
        expect(err).to.equal(undefined);
        return;
      }
      expect(err).to.be.instanceOf(tc.want.cls);
      expect(err?.code).to.equal(tc.want.code);
      expect(err?.message).to.equal(tc.want.message);
    });
  }
});
