// The approver's decision table: which kubelet requests approve themselves, which are denied
// (and why), and which wait for a person.

import { expect } from 'chai';
import { makeCsr, type CsrSubject } from '../../common/pki/csr.js';
import { decideApproval } from './approval.js';
import type { Csr } from './types.js';

const bootstrapper = { username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:authenticated'] };
const node1 = { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const admin = { username: 'admin', groups: ['system:masters'] };
const nodeSubject = (name: string, extra: Partial<CsrSubject> = {}): CsrSubject => ({ commonName: `system:node:${name}`, organizations: ['system:nodes'], ...extra });

function csr(signerName: string, who: { username: string; groups: string[] }, subject: CsrSubject | string, usages: string[]): Csr {
  const pem = typeof subject === 'string' ? subject : makeCsr(subject).csrPem;
  return { metadata: { name: 'c' }, spec: { request: Buffer.from(pem).toString('base64'), signerName, usages, ...who } };
}

const client = 'kubernetes.io/kube-apiserver-client-kubelet';
const serving = 'kubernetes.io/kubelet-serving';
const addresses = (name: string): { ips: string[] } | undefined => (name === 'n1' ? { ips: ['10.0.0.11'] } : undefined);

const cases: { name: string; csr: Csr; verdict: 'approve' | 'deny' | 'skip'; message?: RegExp; retry?: boolean }[] = [
  { name: 'client: a bootstrapper asking for a node identity', csr: csr(client, bootstrapper, nodeSubject('n9'), ['digital signature', 'client auth']), verdict: 'approve' },
  { name: 'client: with key encipherment too (RSA keys)', csr: csr(client, bootstrapper, nodeSubject('n9'), ['key encipherment', 'digital signature', 'client auth']), verdict: 'approve' },
  { name: 'client: a node renewing its own', csr: csr(client, node1, nodeSubject('n1'), ['digital signature', 'client auth']), verdict: 'approve' },
  { name: 'client: a node asking for another node', csr: csr(client, node1, nodeSubject('n2'), ['client auth']), verdict: 'deny', message: /may not ask for a certificate of "system:node:n2"/ },
  { name: 'client: an admin subject', csr: csr(client, bootstrapper, { commonName: 'admin', organizations: ['system:masters'] }, ['client auth']), verdict: 'deny', message: /not system:node:<name>/ },
  { name: 'client: system:masters added to the organizations', csr: csr(client, bootstrapper, nodeSubject('n9', { organizations: ['system:nodes', 'system:masters'] }), ['client auth']), verdict: 'deny', message: /exactly \["system:nodes"\]/ },
  { name: 'client: serving usage', csr: csr(client, bootstrapper, nodeSubject('n9'), ['client auth', 'server auth']), verdict: 'deny', message: /"server auth"/ },
  { name: 'client: no client auth', csr: csr(client, bootstrapper, nodeSubject('n9'), ['digital signature']), verdict: 'deny', message: /must include "client auth"/ },
  { name: 'client: SANs in a client certificate', csr: csr(client, bootstrapper, nodeSubject('n9', { dnsNames: ['n9'] }), ['client auth']), verdict: 'deny', message: /subject alternative names/ },
  { name: 'client: a malformed request', csr: csr(client, bootstrapper, '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----', ['client auth']), verdict: 'deny', message: /not a valid PEM/ },
  { name: 'client: from an admin, left for a person', csr: csr(client, admin, nodeSubject('n9'), ['client auth']), verdict: 'skip' },
  { name: 'serving: a node for its name and address', csr: csr(serving, node1, nodeSubject('n1', { dnsNames: ['n1'], ips: ['10.0.0.11'] }), ['digital signature', 'server auth']), verdict: 'approve' },
  { name: 'serving: a foreign IP', csr: csr(serving, node1, nodeSubject('n1', { dnsNames: ['n1'], ips: ['10.0.0.11', '10.9.9.9'] }), ['server auth']), verdict: 'deny', message: /10\.9\.9\.9/ },
  { name: 'serving: a foreign DNS name', csr: csr(serving, node1, nodeSubject('n1', { dnsNames: ['kubernetes.default'] }), ['server auth']), verdict: 'deny', message: /kubernetes\.default/ },
  { name: 'serving: for another node', csr: csr(serving, node1, nodeSubject('n2', { dnsNames: ['n2'] }), ['server auth']), verdict: 'deny', message: /system:node:n2/ },
  { name: 'serving: client usage', csr: csr(serving, node1, nodeSubject('n1', { dnsNames: ['n1'] }), ['server auth', 'client auth']), verdict: 'deny', message: /"client auth"/ },
  { name: 'serving: no SANs', csr: csr(serving, node1, nodeSubject('n1'), ['server auth']), verdict: 'deny', message: /at least one/ },
  { name: 'serving: from a bootstrapper, not decided', csr: csr(serving, bootstrapper, nodeSubject('n1', { dnsNames: ['n1'] }), ['server auth']), verdict: 'skip' },
  { name: 'serving: node not registered yet, try later', csr: csr(serving, { username: 'system:node:n5', groups: ['system:nodes'] }, nodeSubject('n5', { ips: ['10.0.0.15'] }), ['server auth']), verdict: 'skip', retry: true },
  { name: 'other signers are left alone', csr: csr('example.com/mine', bootstrapper, nodeSubject('n9'), ['client auth']), verdict: 'skip' },
];

describe('csrapproving decisions', () => {
  for (const tc of cases) {
    it(`${tc.verdict}: ${tc.name}`, () => {
      const d = decideApproval(tc.csr, addresses);
      expect(d.verdict).to.equal(tc.verdict);
      if (tc.message && d.verdict !== 'skip') expect(d.message).to.match(tc.message);
      if (tc.retry !== undefined && d.verdict === 'skip') expect(!!d.retry).to.equal(tc.retry);
    });
  }
});
