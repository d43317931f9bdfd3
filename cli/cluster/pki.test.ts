import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../../common/proc/etcdProcess.js';
import { ensureClusterPki, ensureToken, kubeletClientName, tokenLine } from './pki.js';

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
    expect(fs.readFileSync(first.apiServer.cert, 'utf8')).to.equal(fs.readFileSync(again.apiServer.cert, 'utf8'));
  });

  it('makes the API server certificate again when an address clients dial is missing from it', () => {
    const dir = path.join(tmp.dir, 'pki-sans');
    const first = ensureClusterPki(dir);
    const withHostNetwork = ensureClusterPki(dir, ['172.31.240.1', '10.96.0.1']);
    const sans = new X509Certificate(fs.readFileSync(withHostNetwork.apiServer.cert)).subjectAltName;
    expect(sans).to.contain('IP Address:172.31.240.1').and.contain('IP Address:10.96.0.1').and.contain('IP Address:127.0.0.1');
    expect(withHostNetwork.ca.certPem, 'the CA stays').to.equal(first.ca.certPem);
    const same = ensureClusterPki(dir, ['172.31.240.1']);
    expect(fs.readFileSync(same.apiServer.cert, 'utf8'), 'a certificate naming them all is kept').to.equal(fs.readFileSync(withHostNetwork.apiServer.cert, 'utf8'));
  });
});
