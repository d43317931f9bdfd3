import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../../common/proc/etcdProcess.js';
import { ensureClusterPki, ensureNodeServingCert, ensureToken, kubeletClientName, tokenLine } from './pki.js';

describe('cluster PKI and tokens', () => {
  let tmp: { dir: string; remove: () => void };
  beforeEach(() => (tmp = makeTempDir('gantry-pki')));
  afterEach(() => tmp.remove());

  describe('tokenLine', () => {
    const cases = [
      { name: 'a node: user, uid and its group', args: ['t', 'system:node:vm', 'node-vm', ['system:nodes']] as const, want: 't,system:node:vm,node-vm,"system:nodes"' },
      { name: 'several groups, comma-separated in quotes', args: ['t', 'u', 'id', ['a', 'b']] as const, want: 't,u,id,"a,b"' },
      { name: 'no groups: no fourth field', args: ['t', 'system:kube-scheduler', 'kube-scheduler', []] as const, want: 't,system:kube-scheduler,kube-scheduler' },
    ];
    for (const tc of cases) it(tc.name, () => expect(tokenLine(tc.args[0], tc.args[1], tc.args[2], [...tc.args[3]])).to.equal(tc.want));
  });

  it('ensureToken adds a user once and returns the same token later', () => {
    const file = path.join(tmp.dir, 'tokens.csv');
    const admin = ensureToken(file, 'admin', 'admin-uid', ['system:masters']);
    const node = ensureToken(file, 'system:node:vm', 'node-vm', ['system:nodes']);
    expect(ensureToken(file, 'admin', 'admin-uid', ['system:masters'])).to.equal(admin);
    expect(ensureToken(file, 'system:node:vm', 'node-vm', ['system:nodes'])).to.equal(node);
    expect(admin).to.match(/^[0-9a-f]{48}$/).and.not.equal(node);
    expect(fs.readFileSync(file, 'utf8')).to.equal(`${admin},admin,admin-uid,"system:masters"\n${node},system:node:vm,node-vm,"system:nodes"\n`);
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
  });

  it('makes the CA and certificates once; a second call reuses them', () => {
    const dir = path.join(tmp.dir, 'pki');
    const first = ensureClusterPki(dir);
    const again = ensureClusterPki(dir);
    expect(again.ca.certPem).to.equal(first.ca.certPem);
    expect(fs.readFileSync(again.kubeletClient.cert, 'utf8')).to.equal(fs.readFileSync(first.kubeletClient.cert, 'utf8'));
    const ca = new X509Certificate(first.ca.certPem);
    const client = new X509Certificate(fs.readFileSync(first.kubeletClient.cert));
    expect(client.subject).to.equal(`CN=${kubeletClientName}`);
    expect(client.verify(ca.publicKey)).to.equal(true);
    expect(fs.statSync(first.kubeletClient.key).mode & 0o777).to.equal(0o600);
    const serving = new X509Certificate(fs.readFileSync(ensureNodeServingCert(path.join(tmp.dir, 'node'), first.ca, 'vm', '127.0.0.1').cert));
    expect(serving.subjectAltName).to.equal('DNS:vm, IP Address:127.0.0.1');
    expect(serving.verify(ca.publicKey)).to.equal(true);
  });
});
