// Secrets encrypted at rest, against a real etcd and a real API server driven by the real
// kubectl: what an attacker reading etcd's data sees, what users get back, and a key rotation
// done the documented way.

import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { RestClient } from '../../common/client/restClient.js';
import { renderKubeconfig, type ClusterAccess } from '../../common/kubeconfig.js';
import { silentLogger } from '../../common/logging.js';
import { makeCA, makeSignedCert } from '../../common/pki/certs.js';
import { makeTempDir, startEtcd, type EtcdProcess } from '../../common/proc/etcdProcess.js';
import { TokenAuthenticator } from '../auth/tokens.js';
import { startApiServer, type RunningApiServer } from '../server.js';
import { kubectl } from '../../common/testing/kubectl.js';
import { EncryptionTransformer } from './encryption.js';
import { parseEncryptionConfig } from './encryptionConfig.js';

const key1 = randomBytes(32).toString('base64');
const key2 = randomBytes(32).toString('base64');
const configWith = (providers: string): string =>
  `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources:\n      - secrets\n    providers:\n${providers}`;
const aesgcm = (...keys: [string, string][]): string =>
  `      - aesgcm:\n          keys:\n${keys.map(([n, s]) => `            - name: ${n}\n              secret: ${s}\n`).join('')}`;

describe('Secrets encrypted at rest (real etcd, API server and kubectl)', function () {
  this.timeout(120_000);
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const passwordB64 = Buffer.from(password).toString('base64');
  let tmp: ReturnType<typeof makeTempDir>;
  let etcd: EtcdProcess;
  let raw: Etcd3;
  let server: RunningApiServer | undefined;
  let client: RestClient;
  let kubeconfig: string;
  let cacheDir: string;
  let port = 0;
  const ca = makeCA();
  const serving = makeSignedCert(ca, { commonName: 'apiserver', dnsNames: ['localhost'], ips: ['127.0.0.1'] });
  const token = randomBytes(16).toString('hex');

  /** (Re)starts the API server with this EncryptionConfiguration text, as a restart with a new file would. */
  async function serveWith(configText: string): Promise<void> {
    await server?.close();
    server = await startApiServer({
      etcdEndpoints: [etcd.endpoint],
      valueTransformer: new EncryptionTransformer(parseEncryptionConfig(configText), '/registry/'),
      host: '127.0.0.1',
      port,
      tls: serving,
      authenticator: new TokenAuthenticator([{ token, user: { name: 'admin', uid: '1', groups: ['system:masters'] } }]),
      logger: silentLogger(),
    });
    port = server.port;
    const access: ClusterAccess = { server: server.url, caPem: ca.certPem, token };
    fs.writeFileSync(kubeconfig, renderKubeconfig(access));
    client?.close();
    client = new RestClient(access);
  }

  const k = async (args: string[], input = ''): Promise<string> => {
    const r = await kubectl(kubeconfig, cacheDir, args, { input });
    expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).to.equal(0);
    return r.stdout;
  };
  const rawValue = async (key: string): Promise<Buffer> => {
    const v = await raw.get(key).buffer();
    expect(v, `etcd key ${key}`).to.not.equal(null);
    return v!;
  };

  before(async () => {
    tmp = makeTempDir('gantry-encryption');
    kubeconfig = path.join(tmp.dir, 'kubeconfig');
    cacheDir = path.join(tmp.dir, 'kube-cache');
    etcd = await startEtcd({ dataDir: path.join(tmp.dir, 'etcd'), logFile: path.join(tmp.dir, 'etcd.log') });
    raw = new Etcd3({ hosts: [etcd.endpoint] });
    await serveWith(configWith(aesgcm(['key1', key1]) + '      - identity: {}\n'));
  });

  after(async () => {
    client?.close();
    raw?.close();
    await server?.close().catch(() => undefined);
    await etcd?.stop();
    tmp?.remove();
  });

  it('stores a Secret created with kubectl encrypted: neither its value nor its base64 is in etcd', async () => {
    await k(['create', 'secret', 'generic', 'db', '-n', 'default', `--from-literal=password=${password}`]);
    await k(['create', 'configmap', 'plain', '-n', 'default', `--from-literal=note=${password}`]);
    const stored = await rawValue('/registry/secrets/default/db');
    expect(stored.subarray(0, 23).toString()).to.equal('k8s:enc:aesgcm:v1:key1:');
    expect(stored.includes(Buffer.from(password))).to.equal(false);
    expect(stored.includes(Buffer.from(passwordB64))).to.equal(false);
    expect(stored.includes(Buffer.from('"kind"'))).to.equal(false);
    // Other kinds stay plain.
    expect((await rawValue('/registry/configmaps/default/plain')).includes(Buffer.from(password))).to.equal(true);
  });

  it('returns it decrypted through GET, list and the watch cache', async () => {
    expect(await k(['get', 'secret', 'db', '-n', 'default', '-o', 'jsonpath={.data.password}'])).to.equal(passwordB64);
    const listed = JSON.parse(await k(['get', 'secrets', '-A', '-o', 'json'])) as { items: { metadata: { name: string }; data?: Record<string, string> }[] };
    expect(listed.items.find((s) => s.metadata.name === 'db')?.data?.password).to.equal(passwordB64);
    // resourceVersion=0 is served from the watch cache.
    const cached = await client.get<{ data: Record<string, string> }>('/api/v1/namespaces/default/secrets/db', { query: { resourceVersion: '0' } });
    expect(cached.status).to.equal(200);
    expect(cached.body.data.password).to.equal(passwordB64);
  });

  it('still reads a plain value written before encryption while identity is listed', async () => {
    const legacy = { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'legacy', namespace: 'default', uid: 'legacy-uid', creationTimestamp: new Date().toISOString() }, data: { token: Buffer.from('old-plain').toString('base64') } };
    await raw.put('/registry/secrets/default/legacy').value(JSON.stringify(legacy));
    expect(await k(['get', 'secret', 'legacy', '-n', 'default', '-o', 'jsonpath={.data.token}'])).to.equal(legacy.data.token);
  });

  it('answers a value moved to another key with a 500 InternalError naming the key, and keeps serving', async () => {
    await raw.put('/registry/secrets/default/moved').value(await rawValue('/registry/secrets/default/db'));
    try {
      const res = await client.get<{ reason: string; code: number; message: string }>('/api/v1/namespaces/default/secrets/moved');
      expect(res.status).to.equal(500);
      expect(res.body.reason).to.equal('InternalError');
      expect(res.body.message).to.contain('unable to transform key "/registry/secrets/default/moved"');
      expect(res.body.message).to.contain('message authentication failed');
      expect((await client.get('/api/v1/namespaces/default/secrets/db')).status).to.equal(200);
    } finally {
      await raw.delete().key('/registry/secrets/default/moved');
    }
  });

  it('rotates: new key first, old still reads; the documented replace rewrites with the new key; then the old key can go', async () => {
    await serveWith(configWith(aesgcm(['key2', key2], ['key1', key1]) + '      - identity: {}\n'));
    expect(await k(['get', 'secret', 'db', '-n', 'default', '-o', 'jsonpath={.data.password}'])).to.equal(passwordB64);
    expect((await rawValue('/registry/secrets/default/db')).subarray(0, 23).toString()).to.equal('k8s:enc:aesgcm:v1:key1:');

    // `kubectl get secrets -A -o json | kubectl replace -f -`
    const all = await k(['get', 'secrets', '-A', '-o', 'json']);
    await k(['replace', '-f', '-'], all);
    for (const name of ['db', 'legacy']) {
      const stored = await rawValue(`/registry/secrets/default/${name}`);
      expect(stored.subarray(0, 23).toString(), name).to.equal('k8s:enc:aesgcm:v1:key2:');
    }
    expect((await rawValue('/registry/secrets/default/db')).includes(Buffer.from(passwordB64))).to.equal(false);

    await serveWith(configWith(aesgcm(['key2', key2])));
    expect(await k(['get', 'secret', 'db', '-n', 'default', '-o', 'jsonpath={.data.password}'])).to.equal(passwordB64);
    expect(await k(['get', 'secret', 'legacy', '-n', 'default', '-o', 'jsonpath={.data.token}'])).to.equal(Buffer.from('old-plain').toString('base64'));
  });

  it('a replace of an up-to-date Secret writes nothing (only stale values are rewritten)', async () => {
    const before = (await raw.get('/registry/secrets/default/db').exec()).kvs[0]!.mod_revision;
    await k(['replace', '-f', '-'], await k(['get', 'secret', 'db', '-n', 'default', '-o', 'json']));
    const after = (await raw.get('/registry/secrets/default/db').exec()).kvs[0]!.mod_revision;
    expect(after).to.equal(before);
  });
});
