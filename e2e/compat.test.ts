// What users type, with kubectl 1.27, 1.30, 1.32 and 1.33 against one `gantry up`: every
// `kubectl create` subcommand for the kinds Gantry serves (and a clear error for those it does
// not), dry runs, run/expose/label/annotate/scale/set image/delete/get, the mistakes people make,
// and pods of each QoS class really running.
//
// Each case runs for the four releases at once (each in its own namespace, created by that
// release), then reports one test per release, so a failure names the release and CI waits for
// the slowest release instead of the sum of all four.

import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeCA, makeSignedCert, type KeyPair } from '../common/pki/certs.js';
import { parseYaml } from '../common/yaml.js';
import { showRun, type Kubectl, type KubectlResult } from '../common/testing/kubectl.js';
import { upForTests, type TestCluster } from './testCluster.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'compat');
const fixture = (name: string): string => path.join(fixtures, name);
const minors = [27, 30, 32, 33] as const;
/** The one release that applies the QoS pods (they are about the node, not the client). */
const qosMinor = 33;

interface Release {
  minor: number;
  /** The release's own namespace. */
  ns: string;
  /** kubectl with no namespace flag. */
  kubectl: Kubectl;
  /** kubectl in the release's namespace. */
  run(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<KubectlResult>;
  /** As run, and fails unless kubectl exits 0. */
  ok(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<KubectlResult>;
  /** `get -o json` of one object in the release's namespace (or a cluster-scoped one). */
  getJson(kindAndName: string[]): Promise<unknown>;
}

/** Walks an object decoded from JSON or YAML; undefined where a step is missing. */
function dig(obj: unknown, ...keys: (string | number)[]): unknown {
  let v = obj;
  for (const k of keys) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');
/** Not UTF-8 (0xff, 0xfe, a NUL): kubectl puts such a file in binaryData. */
const binaryBlob = Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x7f, 0xc3, 0x28]);

/**
 * A mistake a user made: kubectl exits non-zero with one line of `line` on stderr, nothing on
 * stdout, and nothing that looks like a server crash.
 */
function expectUserError(r: KubectlResult, line: RegExp): void {
  expect(r.code, showRun(r)).to.equal(1);
  expect(r.stdout, showRun(r)).to.equal('');
  expect(r.stderr, `a server failure instead of a user error\n${showRun(r)}`).to.not.match(/InternalError|\(500\)|Internal Server Error|panic|goroutine/);
  expect(r.stderr.trimEnd().split('\n'), `one error line, no trace\n${showRun(r)}`).to.have.length(1);
  expect(r.stderr.trimEnd(), showRun(r)).to.match(line);
}

async function expectNotFound(v: Release, kind: string, name: string, namespaced = true): Promise<void> {
  const r = namespaced ? await v.run(['get', kind, name]) : await v.kubectl(['get', kind, name]);
  const plural = kind.endsWith('s') ? kind : `${kind}s`;
  expectUserError(r, new RegExp(`^Error from server \\(NotFound\\): ${plural.replace('.', '\\.')} "${name}" not found$`));
}

describe('e2e: what users type, with kubectl 1.27, 1.30, 1.32 and 1.33', function () {
  this.timeout(120_000);
  let cluster: TestCluster | undefined;
  let files: string;
  let tls: KeyPair;
  const releases: Release[] = [];
  /** What `kubectl create namespace` answered, per release (asserted by the first case). */
  const namespaceCreated = new Map<number, KubectlResult>();

  before(async function () {
    // `up` builds the registry's images and waits for this machine's node.
    this.timeout(240_000);
    cluster = await upForTests('gantry-e2e-compat');

    files = path.join(cluster.tmp.dir, 'files');
    fs.mkdirSync(files);
    fs.writeFileSync(path.join(files, 'greeting.txt'), 'hello\n');
    fs.writeFileSync(path.join(files, 'blob.bin'), binaryBlob);
    fs.writeFileSync(path.join(files, 'app.env'), 'MODE=fast\n# a comment\n\nLEVEL=3\nTITLE=two words\n');
    tls = makeSignedCert(makeCA('compat-ca'), { commonName: 'shop.example.com', dnsNames: ['shop.example.com'], ips: [] });
    fs.writeFileSync(path.join(files, 'tls.crt'), tls.certPem);
    fs.writeFileSync(path.join(files, 'tls.key'), tls.keyPem);

    for (const minor of minors) {
      const ns = `compat-1-${minor}`;
      const kubectl = cluster.kubectl(minor);
      const run: Release['run'] = (args, opts) => kubectl(['-n', ns, ...args], opts);
      const ok: Release['ok'] = async (args, opts) => {
        const r = await run(args, opts);
        expect(r.code, `kubectl 1.${minor} ${args.join(' ')}\n${showRun(r)}`).to.equal(0);
        return r;
      };
      const getJson: Release['getJson'] = async (kindAndName) => JSON.parse((await ok(['get', ...kindAndName, '-o', 'json'])).stdout) as unknown;
      releases.push({ minor, ns, kubectl, run, ok, getJson });
    }
    // Each release makes its own namespace the way users do. Should that fail (the case below
    // reports it), `create -f` (a JSON body in every release) makes it, so the other cases still
    // test what they are about.
    await Promise.all(
      releases.map(async (v) => {
        const r = await v.kubectl(['create', 'namespace', v.ns]);
        namespaceCreated.set(v.minor, r);
        if (r.code === 0) return;
        const again = await v.kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: v.ns } }) });
        expect(again.code, `kubectl 1.${v.minor} create -f namespace\n${showRun(again)}`).to.equal(0);
      }),
    );
  });

  after(async function () {
    this.timeout(120_000);
    await cluster?.down();
  });

  /** One case, run by every release at once; one test per release reports its outcome. */
  function acrossReleases(title: string, body: (v: Release) => Promise<void>): void {
    describe(title, () => {
      const outcomes = new Map<number, { error?: unknown }>();
      before(async function () {
        this.timeout(180_000);
        await Promise.all(
          releases.map(async (v) => {
            try {
              await body(v);
              outcomes.set(v.minor, {});
            } catch (error) {
              outcomes.set(v.minor, { error });
            }
          }),
        );
      });
      for (const minor of minors) {
        it(`kubectl 1.${minor}`, () => {
          const outcome = outcomes.get(minor);
          if (!outcome) throw new Error(`the case did not run for kubectl 1.${minor}`);
          if (outcome.error !== undefined) throw outcome.error;
        });
      }
    });
  }

  describe('kubectl create, for every kind Gantry serves', () => {
    acrossReleases('create namespace', async (v) => {
      const r = namespaceCreated.get(v.minor)!;
      expect(r.code, showRun(r)).to.equal(0);
      expect(r.stdout).to.equal(`namespace/${v.ns} created\n`);
      const ns = await v.getJson(['namespace', v.ns]);
      expect(dig(ns, 'metadata', 'labels', 'kubernetes.io/metadata.name')).to.equal(v.ns);
      expect(dig(ns, 'status', 'phase')).to.equal('Active');
    });

    interface CreateCase {
      name: string;
      args: (v: Release) => string[];
      printed: (v: Release) => string;
      /** What `get -o json` is run on. */
      get: (v: Release) => string[];
      check: (obj: unknown, v: Release) => void;
    }
    const creates: CreateCase[] = [
      {
        name: 'create configmap --from-literal',
        args: () => ['create', 'configmap', 'literal', '--from-literal=mode=fast', '--from-literal=level=3'],
        printed: () => 'configmap/literal created',
        get: () => ['configmap', 'literal'],
        check: (cm) => expect(dig(cm, 'data')).to.deep.equal({ mode: 'fast', level: '3' }),
      },
      {
        name: 'create configmap --from-file (a key from the file name, and one renamed)',
        args: () => ['create', 'configmap', 'from-file', `--from-file=${path.join(files, 'greeting.txt')}`, `--from-file=renamed=${path.join(files, 'greeting.txt')}`],
        printed: () => 'configmap/from-file created',
        get: () => ['configmap', 'from-file'],
        check: (cm) => expect(dig(cm, 'data')).to.deep.equal({ 'greeting.txt': 'hello\n', renamed: 'hello\n' }),
      },
      {
        name: 'create configmap --from-file with a binary file (binaryData)',
        args: () => ['create', 'configmap', 'from-binary', `--from-file=${path.join(files, 'blob.bin')}`],
        printed: () => 'configmap/from-binary created',
        get: () => ['configmap', 'from-binary'],
        check: (cm) => {
          expect(dig(cm, 'binaryData')).to.deep.equal({ 'blob.bin': binaryBlob.toString('base64') });
          expect(dig(cm, 'data')).to.equal(undefined);
        },
      },
      {
        name: 'create configmap --from-env-file',
        args: () => ['create', 'configmap', 'from-env', `--from-env-file=${path.join(files, 'app.env')}`],
        printed: () => 'configmap/from-env created',
        get: () => ['configmap', 'from-env'],
        check: (cm) => expect(dig(cm, 'data')).to.deep.equal({ MODE: 'fast', LEVEL: '3', TITLE: 'two words' }),
      },
      {
        name: 'create secret generic --from-literal --type',
        args: () => ['create', 'secret', 'generic', 'login', '--from-literal=user=admin', '--from-literal=password=s3cr=t', '--type=example.com/login'],
        printed: () => 'secret/login created',
        get: () => ['secret', 'login'],
        check: (s) => {
          expect(dig(s, 'type')).to.equal('example.com/login');
          expect(dig(s, 'data')).to.deep.equal({ user: b64('admin'), password: b64('s3cr=t') });
        },
      },
      {
        name: 'create secret tls --cert --key',
        args: () => ['create', 'secret', 'tls', 'shop-tls', `--cert=${path.join(files, 'tls.crt')}`, `--key=${path.join(files, 'tls.key')}`],
        printed: () => 'secret/shop-tls created',
        get: () => ['secret', 'shop-tls'],
        check: (s) => {
          expect(dig(s, 'type')).to.equal('kubernetes.io/tls');
          expect(Buffer.from(String(dig(s, 'data', 'tls.crt')), 'base64').toString()).to.equal(tls.certPem);
          expect(Buffer.from(String(dig(s, 'data', 'tls.key')), 'base64').toString()).to.equal(tls.keyPem);
        },
      },
      {
        name: 'create secret docker-registry',
        args: () => ['create', 'secret', 'docker-registry', 'pull', '--docker-server=registry.example.com', '--docker-username=robot', '--docker-password=p4ss', '--docker-email=robot@example.com'],
        printed: () => 'secret/pull created',
        get: () => ['secret', 'pull'],
        check: (s) => {
          expect(dig(s, 'type')).to.equal('kubernetes.io/dockerconfigjson');
          const config = JSON.parse(Buffer.from(String(dig(s, 'data', '.dockerconfigjson')), 'base64').toString()) as unknown;
          expect(dig(config, 'auths', 'registry.example.com')).to.deep.equal({ username: 'robot', password: 'p4ss', email: 'robot@example.com', auth: b64('robot:p4ss') });
        },
      },
      {
        name: 'create deployment --image --replicas --port',
        args: () => ['create', 'deployment', 'web', '--image=gantry/web:v1', '--replicas=2', '--port=8080'],
        printed: () => 'deployment.apps/web created',
        get: () => ['deployment', 'web'],
        check: (d) => {
          expect(dig(d, 'metadata', 'labels')).to.deep.equal({ app: 'web' });
          expect(dig(d, 'spec', 'replicas')).to.equal(2);
          expect(dig(d, 'spec', 'selector')).to.deep.equal({ matchLabels: { app: 'web' } });
          expect(dig(d, 'spec', 'template', 'metadata', 'labels')).to.deep.equal({ app: 'web' });
          expect(dig(d, 'spec', 'template', 'spec', 'containers', 0, 'name')).to.equal('web');
          expect(dig(d, 'spec', 'template', 'spec', 'containers', 0, 'image')).to.equal('gantry/web:v1');
          expect(dig(d, 'spec', 'template', 'spec', 'containers', 0, 'ports')).to.deep.equal([{ containerPort: 8080, protocol: 'TCP' }]);
          expect(dig(d, 'spec', 'strategy', 'type'), 'server defaults').to.equal('RollingUpdate');
          expect(dig(d, 'metadata', 'generation')).to.equal(1);
        },
      },
      {
        name: 'create service clusterip',
        args: () => ['create', 'service', 'clusterip', 'front', '--tcp=80:8080'],
        printed: () => 'service/front created',
        get: () => ['service', 'front'],
        check: (s) => {
          expect(dig(s, 'spec', 'type')).to.equal('ClusterIP');
          expect(dig(s, 'spec', 'selector')).to.deep.equal({ app: 'front' });
          expect(dig(s, 'spec', 'ports')).to.deep.equal([{ name: '80-8080', port: 80, targetPort: 8080, protocol: 'TCP' }]);
        },
      },
      {
        name: 'create service clusterip --clusterip=None (headless)',
        args: () => ['create', 'service', 'clusterip', 'headless', '--clusterip=None', '--tcp=5432:5432'],
        printed: () => 'service/headless created',
        get: () => ['service', 'headless'],
        check: (s) => {
          expect(dig(s, 'spec', 'type')).to.equal('ClusterIP');
          expect(dig(s, 'spec', 'clusterIP')).to.equal('None');
          expect(dig(s, 'spec', 'ports')).to.deep.equal([{ name: '5432-5432', port: 5432, targetPort: 5432, protocol: 'TCP' }]);
        },
      },
      {
        name: 'create service nodeport --node-port',
        // A different node port per release: they share one cluster.
        args: (v) => ['create', 'service', 'nodeport', 'edge', '--tcp=80:8080', `--node-port=${30000 + v.minor}`],
        printed: () => 'service/edge created',
        get: () => ['service', 'edge'],
        check: (s, v) => {
          expect(dig(s, 'spec', 'type')).to.equal('NodePort');
          expect(dig(s, 'spec', 'ports')).to.deep.equal([{ name: '80-8080', port: 80, targetPort: 8080, nodePort: 30000 + v.minor, protocol: 'TCP' }]);
        },
      },
      {
        name: 'create service loadbalancer',
        args: () => ['create', 'service', 'loadbalancer', 'public', '--tcp=443:8443'],
        printed: () => 'service/public created',
        get: () => ['service', 'public'],
        check: (s) => {
          expect(dig(s, 'spec', 'type')).to.equal('LoadBalancer');
          expect(dig(s, 'spec', 'ports', 0)).to.deep.include({ name: '443-8443', port: 443, targetPort: 8443, protocol: 'TCP' });
          expect(dig(s, 'status', 'loadBalancer')).to.deep.equal({});
        },
      },
      {
        name: 'create service externalname',
        args: () => ['create', 'service', 'externalname', 'upstream', '--external-name=db.example.com'],
        printed: () => 'service/upstream created',
        get: () => ['service', 'upstream'],
        check: (s) => {
          expect(dig(s, 'spec', 'type')).to.equal('ExternalName');
          expect(dig(s, 'spec', 'externalName')).to.equal('db.example.com');
        },
      },
      {
        name: 'create serviceaccount',
        args: () => ['create', 'serviceaccount', 'robot'],
        printed: () => 'serviceaccount/robot created',
        get: () => ['serviceaccount', 'robot'],
        check: (sa, v) => {
          expect(dig(sa, 'kind')).to.equal('ServiceAccount');
          expect(dig(sa, 'metadata', 'namespace')).to.equal(v.ns);
          expect(dig(sa, 'metadata', 'uid')).to.match(/^[0-9a-f-]{36}$/);
        },
      },
      {
        name: 'create priorityclass --value --global-default=false --preemption-policy --description',
        args: (v) => ['create', 'priorityclass', `${v.ns}-batch`, '--value=1000', '--global-default=false', '--preemption-policy=Never', '--description=batch work'],
        printed: (v) => `priorityclass.scheduling.k8s.io/${v.ns}-batch created`,
        get: (v) => ['priorityclass', `${v.ns}-batch`],
        check: (pc) => {
          expect(dig(pc, 'apiVersion')).to.equal('scheduling.k8s.io/v1');
          expect(dig(pc, 'value')).to.equal(1000);
          expect(dig(pc, 'preemptionPolicy')).to.equal('Never');
          expect(dig(pc, 'description')).to.equal('batch work');
          expect(dig(pc, 'globalDefault') ?? false).to.equal(false);
        },
      },
      {
        name: 'create job',
        args: () => ['create', 'job', 'nightly', '--image=busybox', '--', 'echo', 'hi'],
        printed: () => 'job.batch/nightly created',
        get: () => ['job', 'nightly'],
        check: (j) => {
          expect(dig(j, 'apiVersion')).to.equal('batch/v1');
          expect(dig(j, 'spec', 'completions')).to.equal(1);
          expect(dig(j, 'spec', 'backoffLimit')).to.equal(6);
          expect(dig(j, 'spec', 'template', 'spec', 'containers', 0, 'command')).to.deep.equal(['echo', 'hi']);
          expect(Object.keys(dig(j, 'spec', 'selector', 'matchLabels') as object)).to.deep.equal(['batch.kubernetes.io/controller-uid']);
        },
      },
      {
        name: 'create poddisruptionbudget --selector --min-available',
        args: () => ['create', 'poddisruptionbudget', 'shop', '--selector=app=shop', '--min-available=1'],
        printed: () => 'poddisruptionbudget.policy/shop created',
        get: () => ['pdb', 'shop'],
        check: (pdb) => {
          expect(dig(pdb, 'apiVersion')).to.equal('policy/v1');
          expect(dig(pdb, 'spec', 'minAvailable')).to.equal(1);
          expect(dig(pdb, 'spec', 'selector', 'matchLabels')).to.deep.equal({ app: 'shop' });
        },
      },
      {
        name: 'create cronjob --schedule',
        args: () => ['create', 'cronjob', 'nightly', '--image=busybox', '--schedule=*/5 * * * *'],
        printed: () => 'cronjob.batch/nightly created',
        get: () => ['cronjob', 'nightly'],
        check: (cj) => {
          expect(dig(cj, 'spec', 'schedule')).to.equal('*/5 * * * *');
          expect(dig(cj, 'spec', 'concurrencyPolicy')).to.equal('Allow');
          expect(dig(cj, 'spec', 'jobTemplate', 'spec', 'template', 'spec', 'restartPolicy')).to.equal('OnFailure');
        },
      },
    ];
    for (const tc of creates) {
      acrossReleases(tc.name, async (v) => {
        const r = await v.ok(tc.args(v));
        expect(r.stdout).to.equal(`${tc.printed(v)}\n`);
        tc.check(await v.getJson(tc.get(v)), v);
      });
    }

    acrossReleases('services created above got a cluster IP, and node ports where their type needs them', async (v) => {
      // What `get svc` shows in CLUSTER-IP and PORT(S): allocated by the API server on create.
      const ipv4 = /^\d+\.\d+\.\d+\.\d+$/;
      for (const name of ['front', 'edge', 'public']) {
        const s = await v.getJson(['service', name]);
        expect(dig(s, 'spec', 'clusterIP'), `${name}: spec.clusterIP`).to.match(ipv4);
        expect(dig(s, 'spec', 'clusterIPs'), `${name}: spec.clusterIPs`).to.deep.equal([dig(s, 'spec', 'clusterIP')]);
      }
      const lb = await v.getJson(['service', 'public']);
      expect(dig(lb, 'spec', 'ports', 0, 'nodePort'), 'a LoadBalancer service gets a node port').to.be.within(30000, 32767);
      expect(dig(await v.getJson(['service', 'headless']), 'spec', 'clusterIPs')).to.deep.equal(['None']);
    });
  });

  describe('kubectl create, for kinds Gantry does not serve: a clear error', () => {
    // A typed create POSTs without asking discovery first; a server that does not serve the
    // resource answers Kubernetes' generic 404 Status ("the server could not find the requested
    // resource"; client-go adds "(post <resource>)" when the body is not a Status), never a
    // message about an object. `get` asks discovery and names the missing resource type.
    const unserved: { name: string; args: (v: Release) => string[]; resource?: string }[] = [
      { name: 'role', args: () => ['create', 'role', 'reader', '--verb=get', '--resource=pods'], resource: 'roles' },
      { name: 'rolebinding', args: () => ['create', 'rolebinding', 'reader', '--role=reader', '--user=alice'], resource: 'rolebindings' },
      { name: 'clusterrole', args: (v) => ['create', 'clusterrole', `${v.ns}-reader`, '--verb=get', '--resource=pods'], resource: 'clusterroles' },
      { name: 'quota', args: () => ['create', 'quota', 'small', '--hard=pods=2'], resource: 'resourcequotas' },
      { name: 'ingress', args: () => ['create', 'ingress', 'front', '--rule=shop.example.com/=front:80'], resource: 'ingresses' },
      // serviceaccounts/token: the service account exists (made with `create -f`), its subresource is not served.
      { name: 'token', args: () => ['create', 'token', 'token-owner'] },
    ];
    for (const tc of unserved) {
      acrossReleases(`create ${tc.name}`, async (v) => {
        if (tc.name === 'token') {
          await v.ok(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'token-owner' } }) });
        }
        const r = await v.run(tc.args(v));
        expectUserError(r, /^(error: failed to create [a-z]+|Error from server \(NotFound\)): the server could not find the requested resource( \(post [a-z./]+\))?$/);
        if (tc.resource) {
          const got = await v.run(['get', tc.resource]);
          expectUserError(got, new RegExp(`^error: the server doesn't have a resource type "${tc.resource}"$`));
        }
      });
    }
  });

  describe('dry runs persist nothing', () => {
    acrossReleases('create configmap --dry-run=server -o yaml', async (v) => {
      const r = await v.ok(['create', 'configmap', 'dry-cm', '--from-literal=a=1', '--dry-run=server', '-o', 'yaml']);
      const cm = parseYaml(r.stdout);
      expect(dig(cm, 'kind')).to.equal('ConfigMap');
      expect(dig(cm, 'metadata', 'name')).to.equal('dry-cm');
      expect(dig(cm, 'metadata', 'namespace')).to.equal(v.ns);
      expect(dig(cm, 'metadata', 'uid'), 'the server filled in the object').to.be.a('string');
      expect(dig(cm, 'data')).to.deep.equal({ a: '1' });
      await expectNotFound(v, 'configmap', 'dry-cm');
    });

    acrossReleases('create deployment --dry-run=server -o json', async (v) => {
      const r = await v.ok(['create', 'deployment', 'dry-deploy', '--image=busybox', '--dry-run=server', '-o', 'json']);
      const d = JSON.parse(r.stdout) as unknown;
      expect(dig(d, 'metadata', 'name')).to.equal('dry-deploy');
      expect(dig(d, 'spec', 'template', 'spec', 'containers', 0, 'image')).to.equal('busybox');
      expect(dig(d, 'spec', 'strategy', 'type'), 'server defaults').to.equal('RollingUpdate');
      await expectNotFound(v, 'deployments.apps', 'dry-deploy');
    });

    acrossReleases('create service --dry-run=server', async (v) => {
      const r = await v.ok(['create', 'service', 'clusterip', 'dry-svc', '--tcp=80:8080', '--dry-run=server']);
      expect(r.stdout).to.equal('service/dry-svc created (server dry run)\n');
      await expectNotFound(v, 'service', 'dry-svc');
    });

    acrossReleases('create namespace --dry-run=server -o name', async (v) => {
      const r = await v.ok(['create', 'namespace', `${v.ns}-dry`, '--dry-run=server', '-o', 'name']);
      expect(r.stdout).to.equal(`namespace/${v.ns}-dry\n`);
      await expectNotFound(v, 'namespace', `${v.ns}-dry`, false);
    });

    acrossReleases('create configmap --dry-run=client -o yaml', async (v) => {
      const r = await v.ok(['create', 'configmap', 'client-cm', '--from-literal=a=1', '--dry-run=client', '-o', 'yaml']);
      const cm = parseYaml(r.stdout);
      expect(dig(cm, 'metadata', 'name')).to.equal('client-cm');
      expect(dig(cm, 'metadata', 'uid'), 'the server never saw it').to.equal(undefined);
      expect(dig(cm, 'data')).to.deep.equal({ a: '1' });
      await expectNotFound(v, 'configmap', 'client-cm');
    });

    acrossReleases('create deployment --dry-run=client', async (v) => {
      const r = await v.ok(['create', 'deployment', 'client-deploy', '--image=busybox', '--dry-run=client']);
      expect(r.stdout).to.equal('deployment.apps/client-deploy created (dry run)\n');
      await expectNotFound(v, 'deployments.apps', 'client-deploy');
    });
  });

  describe('run, get, expose, label, annotate, scale, set image, delete', () => {
    acrossReleases('run a pod with --image --labels --env --port --restart=Never, until Ready', async (v) => {
      const r = await v.ok(['run', 'runner', '--image=busybox', '--labels=app=runner,tier=tools', '--env=GREETING=hi', '--port=8080', '--restart=Never', '--command', '--', 'sleep', '3600']);
      expect(r.stdout).to.equal('pod/runner created\n');
      const pod = await v.getJson(['pod', 'runner']);
      expect(dig(pod, 'metadata', 'labels')).to.deep.equal({ app: 'runner', tier: 'tools' });
      expect(dig(pod, 'spec', 'restartPolicy')).to.equal('Never');
      expect(dig(pod, 'spec', 'containers', 0)).to.deep.include({ name: 'runner', image: 'busybox', command: ['sleep', '3600'], env: [{ name: 'GREETING', value: 'hi' }] });
      expect(dig(pod, 'spec', 'containers', 0, 'ports')).to.deep.equal([{ containerPort: 8080, protocol: 'TCP' }]);
      const ready = await v.ok(['wait', '--for=condition=Ready', 'pod/runner', '--timeout=60s'], { timeoutMs: 70_000 });
      expect(ready.stdout).to.equal('pod/runner condition met\n');
    });

    acrossReleases('run --dry-run=server -o yaml', async (v) => {
      const r = await v.ok(['run', 'dry-pod', '--image=busybox', '--restart=Never', '--dry-run=server', '-o', 'yaml']);
      const pod = parseYaml(r.stdout);
      expect(dig(pod, 'kind')).to.equal('Pod');
      expect(dig(pod, 'metadata', 'labels')).to.deep.equal({ run: 'dry-pod' });
      expect(dig(pod, 'spec', 'restartPolicy')).to.equal('Never');
      expect(dig(pod, 'spec', 'containers', 0, 'terminationMessagePath'), 'server defaults').to.equal('/dev/termination-log');
      expect(dig(pod, 'status', 'qosClass')).to.equal('BestEffort');
      await expectNotFound(v, 'pod', 'dry-pod');
    });

    acrossReleases('get -o wide, yaml, json, name, jsonpath', async (v) => {
      const wide = await v.ok(['get', 'pods', '-o', 'wide']);
      expect(wide.stdout).to.match(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\n/);
      expect(wide.stdout).to.match(/^runner\s+1\/1\s+Running\s+0\s+\S+\s+\d+\.\d+\.\d+\.\d+\s+\S+\s+<none>\s+<none>$/m);
      const yaml = parseYaml((await v.ok(['get', 'pod', 'runner', '-o', 'yaml'])).stdout);
      expect(dig(yaml, 'kind')).to.equal('Pod');
      expect(dig(yaml, 'status', 'phase')).to.equal('Running');
      const json = JSON.parse((await v.ok(['get', 'pods', '-l', 'app=runner', '-o', 'json'])).stdout) as unknown;
      expect(dig(json, 'kind')).to.equal('List');
      expect(dig(json, 'items', 0, 'metadata', 'name')).to.equal('runner');
      expect((await v.ok(['get', 'pods', '-l', 'app=runner', '-o', 'name'])).stdout).to.equal('pod/runner\n');
      const jp = await v.ok(['get', 'pod', 'runner', '-o', 'jsonpath={.metadata.name} {.spec.containers[0].image} {.status.phase} {.spec.containers[0].env[0].value}']);
      expect(jp.stdout).to.equal('runner busybox Running hi');
    });

    acrossReleases('expose pod --type=NodePort', async (v) => {
      const r = await v.ok(['expose', 'pod', 'runner', '--port=9090', '--target-port=8080', '--name=runner-svc', '--type=NodePort']);
      expect(r.stdout).to.equal('service/runner-svc exposed\n');
      const svc = await v.getJson(['service', 'runner-svc']);
      expect(dig(svc, 'spec', 'type')).to.equal('NodePort');
      expect(dig(svc, 'spec', 'selector'), "the pod's labels").to.deep.equal({ app: 'runner', tier: 'tools' });
      expect(dig(svc, 'spec', 'ports', 0)).to.deep.include({ port: 9090, targetPort: 8080, protocol: 'TCP' });
    });

    acrossReleases('expose deployment', async (v) => {
      await v.ok(['create', '-f', fixture('shop.yaml')]);
      const r = await v.ok(['expose', 'deployment', 'shop', '--port=80', '--target-port=http', '--name=shop-svc']);
      expect(r.stdout).to.equal('service/shop-svc exposed\n');
      const svc = await v.getJson(['service', 'shop-svc']);
      expect(dig(svc, 'spec', 'type')).to.equal('ClusterIP');
      expect(dig(svc, 'spec', 'selector'), "the deployment's selector").to.deep.equal({ app: 'shop', tier: 'web' });
      expect(dig(svc, 'spec', 'ports')).to.deep.equal([{ port: 80, targetPort: 'http', protocol: 'TCP' }]);
    });

    acrossReleases('label, and relabel only with --overwrite', async (v) => {
      expect((await v.ok(['label', 'deployment', 'shop', 'stage=beta'])).stdout).to.equal('deployment.apps/shop labeled\n');
      const clash = await v.run(['label', 'deployment', 'shop', 'stage=ga']);
      expectUserError(clash, /^error: 'stage' already has a value \(beta\), and --overwrite is false$/);
      await v.ok(['label', 'deployment', 'shop', 'stage=ga', '--overwrite']);
      expect((await v.ok(['get', 'deployments', '-l', 'stage=ga', '-o', 'name'])).stdout).to.equal('deployment.apps/shop\n');
      await v.ok(['label', 'deployment', 'shop', 'stage-']);
      expect(dig(await v.getJson(['deployment', 'shop']), 'metadata', 'labels')).to.deep.equal({ app: 'shop' });
    });

    acrossReleases('annotate', async (v) => {
      const r = await v.ok(['annotate', 'deployment', 'shop', 'owner=team shop']);
      // 1.27 prints "annotate", later releases "annotated".
      expect(r.stdout).to.match(/^deployment\.apps\/shop annotated?\n$/);
      expect(dig(await v.getJson(['deployment', 'shop']), 'metadata', 'annotations', 'owner')).to.equal('team shop');
    });

    acrossReleases('scale deployment', async (v) => {
      expect((await v.ok(['scale', 'deployment', 'shop', '--replicas=3'])).stdout).to.equal('deployment.apps/shop scaled\n');
      const d = await v.getJson(['deployment', 'shop']);
      expect(dig(d, 'spec', 'replicas')).to.equal(3);
      expect(dig(d, 'metadata', 'generation'), 'a spec change').to.equal(2);
    });

    acrossReleases('set image', async (v) => {
      expect((await v.ok(['set', 'image', 'deployment/shop', 'web=gantry/web:v2'])).stdout).to.equal('deployment.apps/shop image updated\n');
      const d = await v.getJson(['deployment', 'shop']);
      expect(dig(d, 'spec', 'template', 'spec', 'containers', 0, 'image')).to.equal('gantry/web:v2');
      expect(dig(d, 'spec', 'template', 'spec', 'containers', 0, 'ports'), 'the rest of the container kept').to.deep.equal([{ containerPort: 8080, name: 'http', protocol: 'TCP' }]);
      expect(dig(d, 'metadata', 'generation')).to.equal(3);
    });

    acrossReleases('delete by name', async (v) => {
      // `sleep` as PID 1 ignores SIGTERM: a short grace period, as users type for such pods.
      expect((await v.ok(['delete', 'pod', 'runner', '--grace-period=1'])).stdout).to.equal('pod "runner" deleted\n');
      await expectNotFound(v, 'pod', 'runner');
      expect((await v.ok(['delete', 'service', 'shop-svc', 'runner-svc'])).stdout).to.equal('service "shop-svc" deleted\nservice "runner-svc" deleted\n');
      await expectNotFound(v, 'service', 'shop-svc');
      expectUserError(await v.run(['delete', 'configmap', 'never-made']), /^Error from server \(NotFound\): configmaps "never-made" not found$/);
    });

    acrossReleases('delete by label', async (v) => {
      const items = [['a', 'yes'], ['b', 'yes'], ['c', 'no']].map(([name, sweep]) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `sweep-${name}`, labels: { sweep } } }));
      await v.ok(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
      const r = await v.ok(['delete', 'configmaps', '-l', 'sweep=yes']);
      expect(r.stdout.split('\n').filter(Boolean).sort()).to.deep.equal(['configmap "sweep-a" deleted', 'configmap "sweep-b" deleted']);
      expect((await v.ok(['get', 'configmaps', '-l', 'sweep', '-o', 'name'])).stdout).to.equal('configmap/sweep-c\n');
    });
  });

  describe('mistakes users make get kubectl\'s usual error line', () => {
    const invalidName = /metadata\.name: Invalid value: "Invalid_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters/;
    acrossReleases('create deployment without --image', async (v) => {
      expectUserError(await v.run(['create', 'deployment', 'no-image']), /^error: required flag\(s\) "image" not set$/);
    });

    acrossReleases('an invalid name: create configmap, run, create -f', async (v) => {
      let r = await v.run(['create', 'configmap', 'Invalid_Name', '--from-literal=a=b']);
      expectUserError(r, /^error: failed to create configmap: ConfigMap "Invalid_Name" is invalid: /);
      expect(r.stderr).to.match(invalidName);
      r = await v.run(['run', 'Invalid_Name', '--image=busybox']);
      expectUserError(r, /^The Pod "Invalid_Name" is invalid: /);
      expect(r.stderr).to.match(invalidName);
      r = await v.run(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Invalid_Name' } }) });
      expectUserError(r, /^The ConfigMap "Invalid_Name" is invalid: /);
      expect(r.stderr).to.match(invalidName);
    });

    acrossReleases('an invalid name: create deployment names the kind with its group', async (v) => {
      // The server's Invalid message names the group-qualified kind, as Kubernetes' does.
      const r = await v.run(['create', 'deployment', 'Invalid_Name', '--image=busybox']);
      expectUserError(r, /^error: failed to create deployment: Deployment\.apps "Invalid_Name" is invalid: /);
      expect(r.stderr).to.match(invalidName);
    });

    acrossReleases('a duplicate: create namespace, run, create -f', async (v) => {
      expectUserError(await v.kubectl(['create', 'namespace', v.ns]), new RegExp(`^Error from server \\(AlreadyExists\\): namespaces "${v.ns}" already exists$`));
      await v.ok(['run', 'twice', '--image=busybox', '--restart=Never', '--command', '--', 'true']);
      expectUserError(await v.run(['run', 'twice', '--image=busybox']), /^Error from server \(AlreadyExists\): pods "twice" already exists$/);
      const cm = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'twice' } });
      await v.ok(['create', '-f', '-'], { input: cm });
      expectUserError(await v.run(['create', '-f', '-'], { input: cm }), /^Error from server \(AlreadyExists\): error when creating "STDIN": configmaps "twice" already exists$/);
    });

    acrossReleases('an unknown namespace: create configmap, run, create -f', async (v) => {
      const missing = `${v.ns}-missing`;
      const inMissing = (args: string[], opts?: { input?: string }): Promise<KubectlResult> => v.kubectl(['-n', missing, ...args], opts);
      expectUserError(await inMissing(['create', 'configmap', 'x', '--from-literal=a=b']), new RegExp(`^error: failed to create configmap: namespaces "${missing}" not found$`));
      expectUserError(await inMissing(['run', 'x', '--image=busybox']), new RegExp(`^Error from server \\(NotFound\\): namespaces "${missing}" not found$`));
      const cm = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
      expectUserError(await inMissing(['create', '-f', '-'], { input: cm }), new RegExp(`^Error from server \\(NotFound\\): error when creating "STDIN": namespaces "${missing}" not found$`));
    });
  });

  describe('mistakes only the server can catch get its Invalid Status', () => {
    // kubectl checks none of these before sending: the API server's validation must, with the
    // field path and Kubernetes' wording.
    const cases: { name: string; args: (v: Release) => string[]; input?: string; line: RegExp }[] = [
      {
        name: 'a service name that is not a DNS-1035 label',
        args: () => ['create', 'service', 'clusterip', '1st', '--tcp=80'],
        line: /^error: failed to create ClusterIP service: Service "1st" is invalid: metadata\.name: Invalid value: "1st": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character/,
      },
      {
        name: 'a node port outside 30000-32767',
        args: () => ['create', 'service', 'nodeport', 'far', '--tcp=80', '--node-port=39999'],
        line: /^error: failed to create NodePort service: Service "far" is invalid: spec\.ports\[0\]\.nodePort: Invalid value: 39999: provided port is not in the valid range\. The range of valid ports is 30000-32767$/,
      },
      {
        name: 'a node port another service has',
        // `create service nodeport edge` above took 30000 + minor.
        args: (v) => ['create', 'service', 'nodeport', 'taken', '--tcp=80', `--node-port=${30000 + v.minor}`],
        line: /^error: failed to create NodePort service: Service "taken" is invalid: spec\.ports\[0\]\.nodePort: Invalid value: 300\d\d: provided port is already allocated$/,
      },
      {
        name: 'a priority class above the user maximum',
        args: (v) => ['create', 'priorityclass', `${v.ns}-huge`, '--value=2000000000'],
        line: /^error: failed to create priorityclass: PriorityClass\.scheduling\.k8s\.io "compat-1-\d+-huge" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000$/,
      },
      {
        name: "a priority class named with the reserved 'system-' prefix",
        args: (v) => ['create', 'priorityclass', `system-${v.ns}`, '--value=10'],
        line: /^error: failed to create priorityclass: PriorityClass\.scheduling\.k8s\.io "system-compat-1-\d+" is invalid: metadata\.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only/,
      },
      {
        name: 'a configmap key with a slash (create -f)',
        args: () => ['create', '-f', '-'],
        input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad-key' }, data: { 'bad/key': '1' } }),
        line: /^The ConfigMap "bad-key" is invalid: data\[bad\/key\]: Invalid value: "bad\/key": a valid config key must consist of alphanumeric characters, '-', '_' or '\.'/,
      },
    ];
    for (const tc of cases) {
      acrossReleases(tc.name, async (v) => {
        expectUserError(await v.run(tc.args(v), { input: tc.input }), tc.line);
      });
    }
  });

  describe(`pods of every QoS class run (applied with kubectl 1.${qosMinor})`, () => {
    const ns = 'compat-qos';
    let k: (args: string[], opts?: { timeoutMs?: number }) => Promise<KubectlResult>;
    before(async () => {
      const v = releases.find((r) => r.minor === qosMinor)!;
      k = (args, opts) => v.kubectl(['-n', ns, ...args], opts);
      let r = await v.kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }) });
      expect(r.code, showRun(r)).to.equal(0);
      r = await k(['apply', '-f', fixture('qos-pods.yaml')]);
      expect(r.code, showRun(r)).to.equal(0);
      expect(r.stdout).to.equal('pod/qos-guaranteed created\npod/qos-burstable created\npod/qos-besteffort created\n');
    });

    for (const qos of ['Guaranteed', 'Burstable', 'BestEffort']) {
      it(`${qos}: reaches Ready and reports status.qosClass ${qos}`, async () => {
        const pod = `qos-${qos.toLowerCase()}`;
        const ready = await k(['wait', '--for=condition=Ready', `pod/${pod}`, '--timeout=60s'], { timeoutMs: 70_000 });
        const state = await k(['get', 'pod', pod, '-o', 'jsonpath={.status.phase} {.status.qosClass} {.status.containerStatuses[0].state}']);
        expect(ready.code, `${showRun(ready)}\npod state: ${state.stdout}`).to.equal(0);
        expect(ready.stdout).to.equal(`pod/${pod} condition met\n`);
        expect(state.stdout).to.match(new RegExp(`^Running ${qos} \\{"running":`));
      });
    }
  });
});
