// Protobuf request bodies end to end: the real kubectl 1.32 and 1.33 send the bodies of
// `kubectl create <kind>` as application/vnd.kubernetes.protobuf, 1.31 sends JSON for the
// same commands. Each version creates the same objects in its own namespace; what is stored
// must be the same apart from names, uids, versions and times. Then the protobuf paths
// kubectl does not reach (subresources, PUT, DELETE bodies, bad bodies, Accept) over HTTP.

import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { expect } from 'chai';
import { makeCA, makeSignedCert } from '../../common/pki/certs.js';
import { startTestCluster, type TestCluster } from '../testing/harness.js';
import { getJson as getJsonWith } from '../../common/testing/getJson.js';
import { kubectl, kubectlBinary, type KubectlResult } from '../../common/testing/kubectl.js';
import { builtinResources } from '../../common/api/resources.js';
import { encodeProtobufObject } from './encodeObject.js';
import { protobufContentType } from './decode.js';
import { protobufFixtures } from './fixtures.js';

const versions = [31, 32, 33] as const;
const nsOf = (v: number): string => `pbtest-${v}`;

/** `kubectl create ...` commands users type, with the objects they leave behind. */
interface CreateCase {
  name: string;
  args: (v: number, files: Files) => string[];
  /** API path of the object created (per version). */
  object: (v: number) => string;
}

interface Files {
  cert: string;
  key: string;
  pod: string;
}

const inNs = (v: number, rest: string): string => `/api/v1/namespaces/${nsOf(v)}/${rest}`;
const cases: CreateCase[] = [
  { name: 'configmap --from-literal', args: (v) => ['create', 'configmap', 'cm', '--from-literal=a=1', '--from-literal=b=two words', '-n', nsOf(v)], object: (v) => inNs(v, 'configmaps/cm') },
  { name: 'secret generic', args: (v) => ['create', 'secret', 'generic', 'gen', '--from-literal=password=s3cr3t', '--type=Opaque', '-n', nsOf(v)], object: (v) => inNs(v, 'secrets/gen') },
  { name: 'secret tls', args: (v, f) => ['create', 'secret', 'tls', 'tls', `--cert=${f.cert}`, `--key=${f.key}`, '-n', nsOf(v)], object: (v) => inNs(v, 'secrets/tls') },
  { name: 'secret docker-registry', args: (v) => ['create', 'secret', 'docker-registry', 'reg', '--docker-server=registry.local:5000', '--docker-username=u', '--docker-password=p', '-n', nsOf(v)], object: (v) => inNs(v, 'secrets/reg') },
  { name: 'deployment --replicas=0', args: (v) => ['create', 'deployment', 'zero', '--image=nginx:1.27', '--replicas=0', '-n', nsOf(v)], object: (v) => `/apis/apps/v1/namespaces/${nsOf(v)}/deployments/zero` },
  { name: 'deployment --replicas=3 --port', args: (v) => ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3', '--port=80', '-n', nsOf(v)], object: (v) => `/apis/apps/v1/namespaces/${nsOf(v)}/deployments/web` },
  { name: 'service clusterip', args: (v) => ['create', 'service', 'clusterip', 'cip', '--tcp=80:8080', '-n', nsOf(v)], object: (v) => inNs(v, 'services/cip') },
  { name: 'service nodeport', args: (v) => ['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '-n', nsOf(v)], object: (v) => inNs(v, 'services/np') },
  { name: 'service loadbalancer', args: (v) => ['create', 'service', 'loadbalancer', 'lb', '--tcp=443:8443', '-n', nsOf(v)], object: (v) => inNs(v, 'services/lb') },
  { name: 'service externalname', args: (v) => ['create', 'service', 'externalname', 'ext', '--external-name=example.com', '-n', nsOf(v)], object: (v) => inNs(v, 'services/ext') },
  { name: 'serviceaccount', args: (v) => ['create', 'serviceaccount', 'builder', '-n', nsOf(v)], object: (v) => inNs(v, 'serviceaccounts/builder') },
  { name: 'priorityclass --value', args: (v) => ['create', 'priorityclass', `${nsOf(v)}-high`, '--value=1000', '--description=high', '--preemption-policy=Never'], object: (v) => `/apis/scheduling.k8s.io/v1/priorityclasses/${nsOf(v)}-high` },
  { name: 'priorityclass with the default value 0', args: (v) => ['create', 'priorityclass', `${nsOf(v)}-zero`], object: (v) => `/apis/scheduling.k8s.io/v1/priorityclasses/${nsOf(v)}-zero` },
  { name: 'create -f pod (JSON in every version)', args: (v, f) => ['create', '-f', f.pod, '-n', nsOf(v)], object: (v) => inNs(v, 'pods/p') },
];

/** What differs between two creates of the same object: identity, times, allocations, the version's names. */
function normalized(obj: Record<string, unknown>): unknown {
  const text = JSON.stringify(obj).replace(/pbtest-3[123]/g, 'pbtest-N');
  const o = JSON.parse(text) as { metadata: Record<string, unknown>; spec?: Record<string, unknown> };
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp']) delete o.metadata[k];
  for (const m of (o.metadata.managedFields ?? []) as Record<string, unknown>[]) delete m.time;
  const spec = o.spec ?? {};
  delete spec.clusterIP;
  delete spec.clusterIPs;
  for (const p of (Array.isArray(spec.ports) ? spec.ports : []) as Record<string, unknown>[]) delete p.nodePort;
  return o;
}

function raw(c: TestCluster, method: string, urlPath: string, body: Uint8Array | undefined, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    // Node sends DELETE bodies only with an explicit length.
    const length: Record<string, string> = body ? { 'Content-Length': String(body.length) } : {};
    const req = https.request(new URL(urlPath, c.access.server), { method, ca: c.access.caPem, agent: false, headers: { Authorization: `Bearer ${c.access.token}`, Accept: 'application/json', ...length, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
      });
    });
    req.on('error', reject);
    req.end(body ? Buffer.from(body) : undefined);
  });
}

describe('protobuf bodies from the real kubectl (integration)', function () {
  this.timeout(240_000);
  let c: TestCluster;
  let files: Files;
  const run = (v: number, args: string[]): Promise<KubectlResult> => kubectl(c.kubeconfig, path.join(c.dir, `cache-${v}`), args, { binary: kubectlBinary(v) });
  const getJson = (p: string): Promise<Record<string, unknown>> => getJsonWith(c.client, p);

  before(async () => {
    c = await startTestCluster();
    const ca = makeCA('pbtest');
    const cert = makeSignedCert(ca, { commonName: 'web.example.com', dnsNames: ['web.example.com'], ips: [] });
    files = { cert: path.join(c.dir, 'tls.crt'), key: path.join(c.dir, 'tls.key'), pod: path.join(c.dir, 'pod.yaml') };
    fs.writeFileSync(files.cert, cert.certPem);
    fs.writeFileSync(files.key, cert.keyPem);
    fs.writeFileSync(files.pod, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: p}\nspec:\n  containers:\n  - name: c\n    image: busybox:1.36\n    command: [sleep, "3600"]\n');
  });
  after(async () => {
    await c?.close();
  });

  it('kubectl 1.32 and 1.33 send protobuf bodies, 1.31 JSON (create namespace)', async () => {
    for (const v of versions) {
      const out = await run(v, ['create', 'namespace', nsOf(v), '-v=8']);
      expect(out.code, out.stderr).to.equal(0);
      expect(out.stdout).to.contain(`namespace/${nsOf(v)} created`);
      // -v=8 logs the request's headers after its method and URL (1.33: `verb="POST" url=...`).
      const sent = /POST"? (?:url=")?https:\/\/[^\s]+\/api\/v1\/namespaces[\s\S]*?Content-Type: ([^\s"]+)/.exec(out.stderr)?.[1];
      expect(sent, `the Content-Type kubectl ${v} logged: ${out.stderr.split('\n').filter((l) => /POST|Content-Type|Request/i.test(l)).join('\n')}`).to.equal(v >= 32 ? protobufContentType : 'application/json');
    }
    const [a, ...rest] = await Promise.all(versions.map((v) => getJson(`/api/v1/namespaces/${nsOf(v)}`)));
    for (const b of rest) expect(normalized(b!)).to.deep.equal(normalized(a!));
  });

  for (const tc of cases) {
    it(`kubectl create ${tc.name}: the same object from JSON (1.31) and protobuf (1.32, 1.33)`, async () => {
      const stored: Record<string, unknown>[] = [];
      for (const v of versions) {
        const out = await run(v, tc.args(v, files));
        expect(out.code, `kubectl ${v}: ${out.stderr}`).to.equal(0);
        expect(out.stdout).to.match(/ created\n$/);
        stored.push(await getJson(tc.object(v)));
      }
      for (const s of stored.slice(1)) expect(normalized(s)).to.deep.equal(normalized(stored[0]!));
    });
  }

  it('kubectl create ... --dry-run=server answers the object and stores nothing', async () => {
    const printed: unknown[] = [];
    for (const v of versions) {
      for (const args of [
        ['create', 'configmap', 'dry', '--from-literal=a=1', '-n', nsOf(v)],
        ['create', 'deployment', 'dry', '--image=nginx:1.27', '--replicas=2', '-n', nsOf(v)],
        ['create', 'service', 'clusterip', 'dry', '--tcp=80', '-n', nsOf(v)],
        ['create', 'priorityclass', `${nsOf(v)}-dry`, '--value=5'],
      ]) {
        const out = await run(v, [...args, '--dry-run=server', '-o', 'json']);
        expect(out.code, `kubectl ${v} ${args.join(' ')}: ${out.stderr}`).to.equal(0);
        printed.push(normalized(JSON.parse(out.stdout) as Record<string, unknown>));
      }
      for (const p of [inNs(v, 'configmaps/dry'), `/apis/apps/v1/namespaces/${nsOf(v)}/deployments/dry`, inNs(v, 'services/dry'), `/apis/scheduling.k8s.io/v1/priorityclasses/${nsOf(v)}-dry`]) {
        expect((await c.client.get(p)).status, p).to.equal(404);
      }
    }
    expect(printed.slice(4)).to.deep.equal([...printed.slice(0, 4), ...printed.slice(0, 4)]);
  });

  it('errors read the same whichever encoding carried the body (AlreadyExists, Invalid)', async () => {
    for (const args of [
      (v: number) => ['create', 'configmap', 'cm', '--from-literal=a=1', '-n', nsOf(v)],
      (v: number) => ['create', 'deployment', 'Bad_Name', '--image=nginx', '-n', nsOf(v)],
      (v: number) => ['create', 'namespace', `Bad_${v}`],
      (v: number) => ['create', 'secret', 'generic', 'Bad', '--from-literal=a=b', '-n', nsOf(v)],
    ]) {
      const outs = await Promise.all(versions.map((v) => run(v, args(v))));
      for (const out of outs) expect(out.code, out.stderr).to.not.equal(0);
      const texts = outs.map((o) => o.stderr.replace(/pbtest-3[123]/g, 'pbtest-N').replace(/Bad_3[123]/g, 'Bad_N'));
      expect(texts[0]).to.match(/already exists|is invalid/);
      expect(texts.slice(1)).to.deep.equal([texts[0], texts[0]]);
    }
  });

  describe('over HTTP', () => {
    const pb = { 'Content-Type': protobufContentType, Accept: `${protobufContentType}, application/json` };
    const ns = 'pbtest-http';
    before(async () => {
      expect((await raw(c, 'POST', '/api/v1/namespaces', encodeProtobufObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }), pb)).status).to.equal(201);
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', resources: {} }] } };
      expect((await raw(c, 'POST', `/api/v1/namespaces/${ns}/pods`, encodeProtobufObject(pod), pb)).status).to.equal(201);
      const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx', resources: {} }] } }, strategy: {} }, status: {} };
      expect((await raw(c, 'POST', `/apis/apps/v1/namespaces/${ns}/deployments`, encodeProtobufObject(deploy), pb)).status).to.equal(201);
    });

    it('pods/binding takes a protobuf Binding', async () => {
      const res = await raw(c, 'POST', `/api/v1/namespaces/${ns}/pods/p/binding`, encodeProtobufObject({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { kind: 'Node', name: 'node-1' } }), pb);
      expect(res.status, JSON.stringify(res.json)).to.equal(201);
      expect(((await getJson(`/api/v1/namespaces/${ns}/pods/p`)).spec as Record<string, unknown>).nodeName).to.equal('node-1');
    });

    it('PUT of pods/status and of the object itself take protobuf', async () => {
      const current = await getJson(`/api/v1/namespaces/${ns}/pods/p`);
      const withStatus = { ...current, status: { ...(current.status as object), phase: 'Running', podIP: '10.244.0.9' } };
      const res = await raw(c, 'PUT', `/api/v1/namespaces/${ns}/pods/p/status`, encodeProtobufObject(withStatus), pb);
      expect(res.status, JSON.stringify(res.json)).to.equal(200);
      expect((res.json.status as Record<string, unknown>).podIP).to.equal('10.244.0.9');
      const labelled = { ...res.json, metadata: { ...(res.json.metadata as object), labels: { tier: 'x' } } };
      const put = await raw(c, 'PUT', `/api/v1/namespaces/${ns}/pods/p`, encodeProtobufObject(labelled), pb);
      expect(put.status, JSON.stringify(put.json)).to.equal(200);
      expect((put.json.metadata as Record<string, unknown>).labels).to.deep.equal({ tier: 'x' });
    });

    it('deployments/scale takes a protobuf autoscaling/v1 Scale; dry-run stores nothing', async () => {
      const scale = (replicas: number): Uint8Array => encodeProtobufObject({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'd', namespace: ns }, spec: { replicas } });
      const dry = await raw(c, 'PUT', `/apis/apps/v1/namespaces/${ns}/deployments/d/scale?dryRun=All`, scale(7), pb);
      expect(dry.status, JSON.stringify(dry.json)).to.equal(200);
      expect(((await getJson(`/apis/apps/v1/namespaces/${ns}/deployments/d`)).spec as Record<string, unknown>).replicas).to.equal(1);
      const res = await raw(c, 'PUT', `/apis/apps/v1/namespaces/${ns}/deployments/d/scale`, scale(0), pb);
      expect(res.status, JSON.stringify(res.json)).to.equal(200);
      expect(((await getJson(`/apis/apps/v1/namespaces/${ns}/deployments/d`)).spec as Record<string, unknown>).replicas).to.equal(0);
    });

    it('DELETE takes protobuf DeleteOptions (as client-go sends them, in the group version of the client)', async () => {
      const res = await raw(c, 'DELETE', `/apis/apps/v1/namespaces/${ns}/deployments/d`, encodeProtobufObject({ apiVersion: 'apps/v1', kind: 'DeleteOptions', propagationPolicy: 'Background', dryRun: ['All'] }), pb);
      expect(res.status, JSON.stringify(res.json)).to.equal(200);
      expect((await c.client.get(`/apis/apps/v1/namespaces/${ns}/deployments/d`)).status).to.equal(200);
      const gone = await raw(c, 'DELETE', `/apis/apps/v1/namespaces/${ns}/deployments/d`, encodeProtobufObject({ apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions', gracePeriodSeconds: 0 }), pb);
      expect(gone.status, JSON.stringify(gone.json)).to.equal(200);
      expect((await c.client.get(`/apis/apps/v1/namespaces/${ns}/deployments/d`)).status).to.equal(404);
    });

    it('pods/eviction takes a protobuf policy/v1 Eviction', async () => {
      const res = await raw(c, 'POST', `/api/v1/namespaces/${ns}/pods/p/eviction`, encodeProtobufObject({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p', namespace: ns }, deleteOptions: { gracePeriodSeconds: 0 } }), pb);
      expect(res.status, JSON.stringify(res.json)).to.equal(201);
    });

    for (const r of builtinResources) {
      it(`a ${r.kind} created from protobuf is stored as the same ${r.kind} created from JSON`, async () => {
        const fixture = structuredClone(protobufFixtures[r.kind]!) as { metadata: Record<string, unknown> };
        for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generateName', 'ownerReferences']) delete fixture.metadata[k];
        // A Service's cluster IP and node ports are claims: the JSON and protobuf copies would collide (normalized() ignores them).
        const fspec = (fixture as { spec?: { clusterIP?: string; clusterIPs?: string[]; ports?: { nodePort?: number }[] } }).spec;
        if (r.kind === 'Service' && fspec) {
          delete fspec.clusterIP;
          delete fspec.clusterIPs;
          for (const p of fspec.ports ?? []) delete p.nodePort;
        }
        const base = `/${r.group ? `apis/${r.group}` : 'api'}/${r.version}`;
        const make = async (how: 'json' | 'pb'): Promise<{ status: number; json: Record<string, unknown>; path: string }> => {
          const ns = `pbkind-${how}`;
          if ((await c.client.get(`/api/v1/namespaces/${ns}`)).status === 404) await c.client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
          const name = r.namespaced ? fixture.metadata.name : `${String(fixture.metadata.name)}-${how}`;
          const obj = { ...fixture, metadata: { ...fixture.metadata, name, ...(r.namespaced ? { namespace: ns } : {}) } };
          const collection = `${base}${r.namespaced ? `/namespaces/${ns}` : ''}/${r.plural}`;
          const body = how === 'pb' ? encodeProtobufObject(obj) : Buffer.from(JSON.stringify(obj));
          const res = await raw(c, 'POST', `${collection}?fieldManager=test`, body, how === 'pb' ? pb : { 'Content-Type': 'application/json' });
          return { ...res, path: `${collection}/${String(obj.metadata.name)}` };
        };
        const fromJson = await make('json');
        const fromPb = await make('pb');
        const same = (o: Record<string, unknown>): unknown => JSON.parse(JSON.stringify(normalized(o)).replace(/pbkind-(json|pb)/g, 'pbkind-X').replace(/-(json|pb)\b/g, '-X'));
        expect(fromJson.status, JSON.stringify(fromJson.json)).to.equal(201);
        expect(fromPb.status, JSON.stringify(fromPb.json)).to.equal(201);
        expect(same(fromPb.json)).to.deep.equal(same(fromJson.json));
        expect(same(await getJson(fromPb.path))).to.deep.equal(same(await getJson(fromJson.path)));
      });
    }

    const bad: { name: string; path: string; body: Uint8Array; message: string | RegExp }[] = [
      { name: 'a body of the wrong kind', path: '/api/v1/namespaces', body: encodeProtobufObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }), message: 'ConfigMap in version "v1" cannot be handled as a Namespace: converting (v1.ConfigMap) to (core.Namespace): unknown conversion' },
      { name: 'JSON labelled protobuf', path: '/api/v1/namespaces', body: Buffer.from('{"kind":"Namespace"}'), message: /^the object provided is unrecognized \(must be of type Namespace\): provided data does not appear to be a protobuf message/ },
      { name: 'a truncated body', path: `/apis/apps/v1/namespaces/${ns}/deployments`, body: encodeProtobufObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', labels: { a: 'b' } } }).subarray(0, 40), message: /unexpected EOF/ },
      { name: 'an unknown type', path: '/api/v1/namespaces', body: Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x0a, 0x0a, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x04, 0x4e, 0x6f, 0x70, 0x65])]), message: 'Nope in version "v1" cannot be handled as a Namespace: no kind "Nope" is registered for version "v1"' },
    ];
    for (const tc of bad) {
      it(`${tc.name} is a 400 Status saying so`, async () => {
        const res = await raw(c, 'POST', tc.path, tc.body, pb);
        expect(res.status).to.equal(400);
        expect(res.json).to.include({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
        if (typeof tc.message === 'string') expect(res.json.message).to.equal(tc.message);
        else expect(res.json.message).to.match(tc.message);
      });
    }

    it('a client that accepts only protobuf gets 406; one that also takes JSON gets JSON', async () => {
      const only = await raw(c, 'GET', `/api/v1/namespaces/${ns}`, undefined, { Accept: protobufContentType });
      expect(only.status).to.equal(406);
      expect(only.json).to.include({ kind: 'Status', reason: 'NotAcceptable', code: 406 });
      const both = await raw(c, 'GET', `/api/v1/namespaces/${ns}`, undefined, { Accept: `${protobufContentType}, application/json` });
      expect(both.status).to.equal(200);
      expect(both.json).to.include({ kind: 'Namespace' });
    });
  });
});
