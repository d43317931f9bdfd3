import { expect } from 'chai';
import { createHash, X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { makeCA } from './certs.js';
import { CsrError, makeCsr, parseCsr } from './csr.js';
import { caPublicKeyHash, issueCertificate, loadSigningCA, parseCaHash } from './signer.js';

/** An RSA request made by node-forge: a second, independent encoder. */
function forgeCsr(cn: string, orgs: string[], dns: string[], ips: string[]): string {
  const keys = forge.pki.rsa.generateKeyPair(1024);
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = keys.publicKey;
  csr.setSubject([...orgs.map((o) => ({ name: 'organizationName', value: o })), { name: 'commonName', value: cn }]);
  csr.setAttributes([{ name: 'extensionRequest', extensions: [{ name: 'subjectAltName', altNames: [...dns.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))] }] }]);
  csr.sign(keys.privateKey, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

describe('certificate requests', () => {
  it('reads what it makes: ECDSA key, subject, DNS and IP SANs', () => {
    const { csrPem } = makeCsr({ commonName: 'system:node:n1', organizations: ['system:nodes'], dnsNames: ['n1'], ips: ['172.31.240.11', 'fd00::1'] });
    const csr = parseCsr(csrPem);
    expect(csr.subject.commonName).to.equal('system:node:n1');
    expect(csr.subject.organizations).to.deep.equal(['system:nodes']);
    expect(csr.dnsNames).to.deep.equal(['n1']);
    expect(csr.ipAddresses).to.deep.equal(['172.31.240.11', 'fd00::1']);
    expect(csr.publicKey.asymmetricKeyType).to.equal('ec');
  });

  it("reads node-forge's RSA requests", () => {
    const csr = parseCsr(forgeCsr('system:node:n2', ['system:nodes'], ['n2'], ['10.0.0.2']));
    expect(csr.subject.commonName).to.equal('system:node:n2');
    expect(csr.dnsNames).to.deep.equal(['n2']);
    expect(csr.ipAddresses).to.deep.equal(['10.0.0.2']);
  });

  it("reads openssl's requests", function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-csr-'));
    try {
      const key = path.join(dir, 'k.pem');
      execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', key, '-subj', '/O=system:nodes/CN=system:node:n3', '-addext', 'subjectAltName=DNS:n3,IP:10.1.2.3', '-out', path.join(dir, 'r.pem')], { stdio: 'ignore' });
      const csr = parseCsr(fs.readFileSync(path.join(dir, 'r.pem'), 'utf8'));
      expect(csr.subject).to.include({ commonName: 'system:node:n3' });
      expect(csr.ipAddresses).to.deep.equal(['10.1.2.3']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const bad: { name: string; pem: () => string; message: RegExp }[] = [
    { name: 'no PEM block', pem: () => 'hello', message: /no PEM block/ },
    { name: 'a certificate instead', pem: () => makeCA().certPem, message: /no PEM block of type "CERTIFICATE REQUEST"/ },
    { name: 'garbage inside the block', pem: () => '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n', message: /not a valid PEM certificate request/ },
    {
      name: 'a tampered subject (signature fails)',
      pem: () => {
        const pem = makeCsr({ commonName: 'system:node:aa' }).csrPem;
        const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
        const i = der.indexOf(Buffer.from('system:node:aa'));
        der[i + 13] = 'b'.charCodeAt(0);
        return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
      },
      message: /signature check failed/,
    },
  ];
  for (const tc of bad) {
    it(`refuses ${tc.name}`, () => {
      expect(() => parseCsr(tc.pem())).to.throw(CsrError, tc.message);
    });
  }
});

describe('issuing certificates', () => {
  const ca = makeCA('test-ca');
  const signing = loadSigningCA(ca.certPem, ca.keyPem);

  it('signs a client certificate that chains to the CA, with the request subject and usages', () => {
    const csr = parseCsr(makeCsr({ commonName: 'system:node:n1', organizations: ['system:nodes'] }).csrPem);
    const now = Date.now();
    const pem = issueCertificate(signing, csr, { usages: ['digital signature', 'client auth'], durationMs: 365 * 24 * 3600 * 1000, now });
    const cert = new X509Certificate(pem);
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).to.equal(true);
    expect(cert.subject).to.equal('O=system:nodes\nCN=system:node:n1');
    expect(cert.keyUsage).to.deep.equal(['1.3.6.1.5.5.7.3.2']);
    expect(cert.ca).to.equal(false);
    const days = (new Date(cert.validTo).getTime() - now) / 86_400_000;
    expect(days).to.be.within(364, 366);
    // openssl agrees it is a valid client certificate of this CA.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-sign-'));
    try {
      fs.writeFileSync(path.join(dir, 'ca.pem'), ca.certPem);
      fs.writeFileSync(path.join(dir, 'c.pem'), pem);
      const out = execFileSync('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', path.join(dir, 'ca.pem'), path.join(dir, 'c.pem')]).toString();
      expect(out).to.match(/OK/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('copies the requested SANs into a serving certificate', () => {
    const csr = parseCsr(makeCsr({ commonName: 'system:node:n1', organizations: ['system:nodes'], dnsNames: ['n1'], ips: ['10.0.0.7'] }).csrPem);
    const cert = new X509Certificate(issueCertificate(signing, csr, { usages: ['digital signature', 'server auth'], durationMs: 3600_000, now: Date.now() }));
    expect(cert.subjectAltName).to.equal('DNS:n1, IP Address:10.0.0.7');
    expect(cert.checkIP('10.0.0.7')).to.equal('10.0.0.7');
    expect(cert.keyUsage).to.deep.equal(['1.3.6.1.5.5.7.3.1']);
  });

  it('never outlives the CA', () => {
    const csr = parseCsr(makeCsr({ commonName: 'x' }).csrPem);
    const cert = new X509Certificate(issueCertificate(signing, csr, { usages: ['client auth'], durationMs: 100 * 365 * 86_400_000, now: Date.now() }));
    expect(new Date(cert.validTo).getTime()).to.be.at.most(new Date(new X509Certificate(ca.certPem).validTo).getTime());
  });

  it("pins the CA the way kubeadm does: sha256 of the SubjectPublicKeyInfo", () => {
    const spki = new X509Certificate(ca.certPem).publicKey.export({ type: 'spki', format: 'der' });
    const want = `sha256:${createHash('sha256').update(spki).digest('hex')}`;
    expect(caPublicKeyHash(ca.certPem)).to.equal(want);
    // openssl's recipe from the kubeadm docs gives the same digest.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-pin-'));
    try {
      fs.writeFileSync(path.join(dir, 'ca.pem'), ca.certPem);
      const hex = execFileSync('sh', ['-c', `openssl x509 -pubkey -in ${dir}/ca.pem | openssl rsa -pubin -outform der 2>/dev/null | openssl dgst -sha256 -hex | sed 's/^.* //'`]).toString().trim();
      expect(caPublicKeyHash(ca.certPem)).to.equal(`sha256:${hex}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(parseCaHash(want.toUpperCase().replace('SHA256', 'sha256'))).to.equal(want);
    expect(() => parseCaHash('md5:abc')).to.throw(/sha256:<64 hex digits>/);
  });
});
