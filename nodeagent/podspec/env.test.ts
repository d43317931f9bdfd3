import { expect } from 'chai';
import type { KeyValue } from '../cri/types.js';
import { resolveEnv, type EnvSources } from './env.js';
import { ContainerConfigError, PodSpecError } from './errors.js';
import { testContainer, testPod } from './testPods.js';
import type { Container, EnvFromSource, EnvVar, Pod } from './types.js';

function fakeSources(extra: Partial<EnvSources> = {}): EnvSources & { warnings: string[]; lookups: string[] } {
  const configMaps: Record<string, Record<string, string>> = {
    'default/cfg': { A: 'from-cfg', B: 'b', 'bad key': 'x', '1st': 'y' },
    'default/other': { A: 'from-other' },
  };
  const secrets: Record<string, Record<string, string>> = { 'default/creds': { PASSWORD: 'hunter2', 'tls.key': 'k' } };
  const warnings: string[] = [];
  const lookups: string[] = [];
  return {
    warnings,
    lookups,
    async configMap(ns, name) {
      lookups.push(`cm:${ns}/${name}`);
      const d = configMaps[`${ns}/${name}`];
      return d ? { data: { ...d }, binaryData: {} } : undefined;
    },
    async secret(ns, name) {
      lookups.push(`secret:${ns}/${name}`);
      const d = secrets[`${ns}/${name}`];
      return d ? Object.fromEntries(Object.entries(d).map(([k, v]) => [k, Buffer.from(v)])) : undefined;
    },
    podIP: '10.88.0.5',
    podIPs: ['10.88.0.5', 'fd00::5'],
    hostIP: '192.168.1.10',
    nodeName: 'node-1',
    nodeAllocatable: { cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi' },
    warn: (reason, message) => warnings.push(`${reason}: ${message}`),
    ...extra,
  };
}

function podWith(c: Partial<Container>, other: Partial<Parameters<typeof testPod>[0]> = {}): Pod {
  return testPod({
    labels: { app: 'web', tier: 'front' },
    annotations: { note: 'hi' },
    ...other,
    containers: [testContainer('app', c), testContainer('side', { resources: { requests: { memory: '64Mi' }, limits: { cpu: '250m' } } })],
  });
}

async function resolve(c: Partial<Container>, sources = fakeSources(), other: Partial<Parameters<typeof testPod>[0]> = {}): Promise<KeyValue[]> {
  const pod = podWith(c, other);
  return resolveEnv(pod, pod.spec.containers[0]!, sources);
}

const kv = (o: Record<string, string>): KeyValue[] => Object.entries(o).map(([key, value]) => ({ key, value }));

describe('podspec/env', () => {
  const cases: { name: string; env?: EnvVar[]; envFrom?: EnvFromSource[]; resources?: Container['resources']; want: KeyValue[]; other?: Partial<Parameters<typeof testPod>[0]> }[] = [
    { name: 'plain values', env: [{ name: 'X', value: '1' }, { name: 'EMPTY' }], want: kv({ X: '1', EMPTY: '' }) },
    {
      name: 'references to earlier variables only',
      env: [{ name: 'A', value: 'a' }, { name: 'B', value: '$(A)-$(C)' }, { name: 'C', value: 'c' }, { name: 'D', value: '$$(A) $(A)$(C)' }],
      want: kv({ A: 'a', B: 'a-$(C)', C: 'c', D: '$(A) ac' }),
    },
    {
      name: 'a later definition replaces an earlier one in place',
      env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }, { name: 'A', value: '$(A)3' }],
      want: kv({ A: '13', B: '2' }),
    },
    {
      name: 'envFrom with prefix, invalid keys skipped, env overrides',
      envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { configMapRef: { name: 'cfg' } }],
      env: [{ name: 'A', value: 'mine' }, { name: 'REF', value: '$(CFG_B)/$(A)' }],
      want: kv({ CFG_1st: 'y', CFG_A: 'from-cfg', CFG_B: 'b', A: 'mine', B: 'b', REF: 'b/mine' }),
    },
    {
      name: 'later envFrom sources win',
      envFrom: [{ configMapRef: { name: 'cfg' } }, { configMapRef: { name: 'other' } }],
      want: kv({ A: 'from-other', B: 'b' }),
    },
    { name: 'secretRef envFrom', envFrom: [{ secretRef: { name: 'creds' } }], want: kv({ PASSWORD: 'hunter2', 'tls.key': 'k' }) },
    {
      name: 'optional missing sources are tolerated',
      envFrom: [{ configMapRef: { name: 'nope', optional: true } }, { secretRef: { name: 'nope', optional: true } }],
      env: [
        { name: 'K1', valueFrom: { configMapKeyRef: { name: 'nope', key: 'x', optional: true } } },
        { name: 'K2', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'missing', optional: true } } },
        { name: 'K3', valueFrom: { secretKeyRef: { name: 'creds', key: 'missing', optional: true } } },
        { name: 'K4', valueFrom: { secretKeyRef: { name: 'nope', key: 'x', optional: true } } },
      ],
      want: [],
    },
    {
      name: 'key refs',
      env: [
        { name: 'CM', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'A' } } },
        { name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASSWORD' } } },
        { name: 'NOT_EXPANDED', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'bad key' } } },
      ],
      want: kv({ CM: 'from-cfg', PW: 'hunter2', NOT_EXPANDED: 'x' }),
    },
    {
      name: 'field refs',
      env: [
        'metadata.name',
        'metadata.namespace',
        'metadata.uid',
        "metadata.labels['app']",
        "metadata.labels['missing']",
        "metadata.annotations['note']",
        'spec.nodeName',
        'spec.serviceAccountName',
        'status.hostIP',
        'status.hostIPs',
        'status.podIP',
        'status.podIPs',
      ].map((fieldPath, i) => ({ name: `F${i}`, valueFrom: { fieldRef: { fieldPath } } })),
      want: kv({ F0: 'web', F1: 'default', F2: 'uid-1', F3: 'web', F4: '', F5: 'hi', F6: 'node-1', F7: 'default', F8: '192.168.1.10', F9: '192.168.1.10', F10: '10.88.0.5', F11: '10.88.0.5,fd00::5' }),
    },
    {
      name: 'resource refs with divisors and allocatable defaults',
      resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { memory: '128Mi' } },
      env: [
        { name: 'LIM_CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'LIM_CPU_M', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
        { name: 'REQ_CPU', valueFrom: { resourceFieldRef: { resource: 'requests.cpu' } } },
        { name: 'REQ_CPU_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
        { name: 'LIM_MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'REQ_MEM', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } },
        { name: 'REQ_MEM_M', valueFrom: { resourceFieldRef: { resource: 'requests.memory', divisor: '1M' } } },
        { name: 'LIM_EPH_GI', valueFrom: { resourceFieldRef: { resource: 'limits.ephemeral-storage', divisor: '1Gi' } } },
        { name: 'REQ_EPH', valueFrom: { resourceFieldRef: { resource: 'requests.ephemeral-storage' } } },
        { name: 'SIDE_CPU', valueFrom: { resourceFieldRef: { containerName: 'side', resource: 'limits.cpu', divisor: '1m' } } },
        { name: 'SIDE_REQ_CPU', valueFrom: { resourceFieldRef: { containerName: 'side', resource: 'requests.cpu' } } },
      ],
      want: kv({ LIM_CPU: '4', LIM_CPU_M: '4000', REQ_CPU: '1', REQ_CPU_M: '250', LIM_MEM_MI: '128', REQ_MEM: '67108864', REQ_MEM_M: '68', LIM_EPH_GI: '100', REQ_EPH: '0', SIDE_CPU: '250', SIDE_REQ_CPU: '1' }),
    },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const got = await resolve({ ...(tc.env ? { env: tc.env } : {}), ...(tc.envFrom ? { envFrom: tc.envFrom } : {}), ...(tc.resources ? { resources: tc.resources } : {}) }, fakeSources(), tc.other);
      expect(got).to.deep.equal(tc.want);
    });
  }

  it('reports skipped envFrom keys', async () => {
    const s = fakeSources();
    await resolve({ envFrom: [{ configMapRef: { name: 'cfg' } }] }, s);
    expect(s.warnings).to.deep.equal(['InvalidEnvironmentVariableNames: Keys [1st, bad key] from the EnvFrom configMap default/cfg were skipped since they are considered invalid environment variable names.']);
  });

  it('looks each object up once per container', async () => {
    const s = fakeSources();
    await resolve({ envFrom: [{ configMapRef: { name: 'cfg' } }], env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'A' } } }] }, s);
    expect(s.lookups).to.deep.equal(['cm:default/cfg']);
  });

  it('appends service variables nothing else set, and expands them', async () => {
    const s = fakeSources({ serviceEnv: { DB_SERVICE_HOST: '10.0.0.9', X: 'svc' } });
    const got = await resolve({ env: [{ name: 'X', value: 'mine' }, { name: 'URL', value: 'http://$(DB_SERVICE_HOST)' }] }, s);
    expect(got).to.deep.equal(kv({ X: 'mine', URL: 'http://10.0.0.9', DB_SERVICE_HOST: '10.0.0.9' }));
  });

  const failures: { name: string; c: Partial<Container>; type: typeof PodSpecError; message: RegExp; field: string }[] = [
    { name: 'missing configmap (envFrom)', c: { envFrom: [{ configMapRef: { name: 'x' } }] }, type: ContainerConfigError, message: /^configmap "x" not found$/, field: 'spec.containers[0].envFrom[0].configMapRef' },
    { name: 'missing secret (envFrom)', c: { envFrom: [{ secretRef: { name: 'x' } }] }, type: ContainerConfigError, message: /^secret "x" not found$/, field: 'spec.containers[0].envFrom[0].secretRef' },
    {
      name: 'missing configmap key',
      c: { env: [{ name: 'A', value: '1' }, { name: 'K', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] },
      type: ContainerConfigError,
      message: /^couldn't find key k in ConfigMap default\/cfg$/,
      field: 'spec.containers[0].env[1].valueFrom.configMapKeyRef.key',
    },
    {
      name: 'missing secret key',
      c: { env: [{ name: 'K', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }] },
      type: ContainerConfigError,
      message: /^couldn't find key k in Secret default\/creds$/,
      field: 'spec.containers[0].env[0].valueFrom.secretKeyRef.key',
    },
    { name: 'missing secret (keyRef)', c: { env: [{ name: 'K', valueFrom: { secretKeyRef: { name: 'x', key: 'k' } } }] }, type: ContainerConfigError, message: /^secret "x" not found$/, field: 'spec.containers[0].env[0].valueFrom.secretKeyRef' },
    { name: 'unsupported fieldPath', c: { env: [{ name: 'K', valueFrom: { fieldRef: { fieldPath: 'spec.hostname' } } }] }, type: PodSpecError, message: /unsupported fieldPath/, field: 'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath' },
    { name: 'unsupported resource', c: { env: [{ name: 'K', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } }] }, type: PodSpecError, message: /unsupported container resource/, field: 'spec.containers[0].env[0].valueFrom.resourceFieldRef.resource' },
    { name: 'bad divisor', c: { env: [{ name: 'K', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: 'x' } } }] }, type: PodSpecError, message: /divisor/, field: 'spec.containers[0].env[0].valueFrom.resourceFieldRef.divisor' },
    { name: 'unknown container', c: { env: [{ name: 'K', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', containerName: 'nope' } } }] }, type: PodSpecError, message: /container nope not found/, field: 'spec.containers[0].env[0].valueFrom.resourceFieldRef.containerName' },
  ];
  for (const tc of failures) {
    it(`fails: ${tc.name}`, async () => {
      const err = await resolve(tc.c).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(tc.type);
      expect((err as PodSpecError).message).to.match(tc.message);
      expect((err as PodSpecError).field).to.equal(tc.field);
      if (tc.type === ContainerConfigError) expect((err as PodSpecError).reason).to.equal('CreateContainerConfigError');
    });
  }

  it('lets a transient lookup failure through unchanged, for a retry', async () => {
    const boom = new Error('connection refused');
    const s = fakeSources({ configMap: () => Promise.reject(boom) });
    const err = await resolve({ envFrom: [{ configMapRef: { name: 'cfg' } }] }, s).catch((e: unknown) => e);
    expect(err).to.equal(boom);
  });
});
