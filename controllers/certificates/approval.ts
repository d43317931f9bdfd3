// Which kubelet CSRs approve themselves (Kubernetes' csrapproving controller, plus the
// serving certificates kubeadm leaves to an operator): a decision from the request alone,
// the requester the API server recorded, and the node's addresses. A request from a
// bootstrapper or node that breaks the rules is denied with the reason; anything else (other
// signers, other requesters) is left for a person to approve.

import { CsrError, parseCsr, type ParsedCsr } from '../../common/pki/csr.js';
import { kubeletClientSigner, kubeletServingSigner, requestPem, type Csr } from './types.js';

export type ApprovalDecision =
  | { verdict: 'approve'; reason: string; message: string }
  | { verdict: 'deny'; reason: string; message: string }
  /** Not ours to decide now; `retry` when it may be later (the node not registered yet). */
  | { verdict: 'skip'; why: string; retry?: boolean };

export interface NodeAddresses {
  /** The node's status.addresses (InternalIP, ExternalIP) and name; undefined when the Node does not exist. */
  (nodeName: string): { ips: string[] } | undefined;
}

const nodePrefix = 'system:node:';
const nodesGroup = 'system:nodes';
const clientUsages = new Set(['digital signature', 'key encipherment', 'client auth']);
const servingUsages = new Set(['digital signature', 'key encipherment', 'server auth']);

const deny = (reason: string, message: string): ApprovalDecision => ({ verdict: 'deny', reason, message });

function isBootstrapper(csr: Csr): boolean {
  return (csr.spec?.username ?? '').startsWith('system:bootstrap:') && (csr.spec?.groups ?? []).includes('system:bootstrappers');
}

function requestingNode(csr: Csr): string | undefined {
  const user = csr.spec?.username ?? '';
  if (!user.startsWith(nodePrefix) || !(csr.spec?.groups ?? []).includes(nodesGroup)) return undefined;
  return user.slice(nodePrefix.length) || undefined;
}

/** Problems with a node certificate's subject and usages, the same for client and serving. */
function nodeSubjectProblem(parsed: ParsedCsr, usages: string[], allowed: Set<string>, needed: string): string | undefined {
  const cn = parsed.subject.commonName ?? '';
  if (!cn.startsWith(nodePrefix) || cn.length === nodePrefix.length) return `the subject's common name ${JSON.stringify(cn)} is not system:node:<name>`;
  const orgs = parsed.subject.organizations;
  if (orgs.length !== 1 || orgs[0] !== nodesGroup) return `the subject's organization must be exactly ["system:nodes"], not ${JSON.stringify(orgs)}`;
  const extra = parsed.subject.attributes.filter((a) => a.oid !== '2.5.4.3' && a.oid !== '2.5.4.10');
  if (extra.length) return `the subject may hold only CN and O, not ${extra.map((a) => a.oid).join(', ')}`;
  const bad = usages.filter((u) => !allowed.has(u));
  if (bad.length) return `usages ${JSON.stringify(bad)} are not allowed for this signer (allowed: ${[...allowed].join(', ')})`;
  if (!usages.includes(needed)) return `usages must include ${JSON.stringify(needed)}`;
  return undefined;
}

export function decideApproval(csr: Csr, nodeAddresses: NodeAddresses): ApprovalDecision {
  const signer = csr.spec?.signerName;
  if (signer !== kubeletClientSigner && signer !== kubeletServingSigner) return { verdict: 'skip', why: `signer ${signer ?? ''} is not auto-approved` };
  const node = requestingNode(csr);
  const fromBootstrapper = isBootstrapper(csr);
  if (signer === kubeletClientSigner && !fromBootstrapper && node === undefined) return { verdict: 'skip', why: 'the requester is neither a bootstrapper nor a node' };
  if (signer === kubeletServingSigner && node === undefined) return { verdict: 'skip', why: 'the requester is not a node' };
  let parsed: ParsedCsr;
  try {
    parsed = parseCsr(requestPem(csr));
  } catch (e) {
    return deny('MalformedRequest', e instanceof CsrError ? e.message : String(e));
  }
  const usages = csr.spec?.usages ?? [];
  const cn = parsed.subject.commonName ?? '';

  if (signer === kubeletClientSigner) {
    const problem = nodeSubjectProblem(parsed, usages, clientUsages, 'client auth');
    if (problem) return deny('NotANodeClientCertificate', problem);
    if (parsed.dnsNames.length + parsed.ipAddresses.length + parsed.emailAddresses.length + parsed.uris.length > 0) {
      return deny('NotANodeClientCertificate', 'a node client certificate may not carry subject alternative names');
    }
    // A node renewing asks only for itself; a bootstrapper may name the node it becomes.
    if (!fromBootstrapper && cn !== csr.spec?.username) return deny('NotANodeClientCertificate', `node ${JSON.stringify(csr.spec?.username)} may not ask for a certificate of ${JSON.stringify(cn)}`);
    return fromBootstrapper
      ? { verdict: 'approve', reason: 'AutoApproved', message: 'Auto approving kubelet client certificate after SubjectAccessReview.' }
      : { verdict: 'approve', reason: 'AutoApproved', message: 'Auto approving self kubelet client certificate after SubjectAccessReview.' };
  }

  const problem = nodeSubjectProblem(parsed, usages, servingUsages, 'server auth');
  if (problem) return deny('NotANodeServingCertificate', problem);
  if (cn !== csr.spec?.username) return deny('NotANodeServingCertificate', `node ${JSON.stringify(csr.spec?.username)} may not ask for a certificate of ${JSON.stringify(cn)}`);
  if (parsed.emailAddresses.length + parsed.uris.length > 0) return deny('NotANodeServingCertificate', 'a node serving certificate may carry only DNS names and IP addresses');
  if (parsed.dnsNames.length + parsed.ipAddresses.length === 0) return deny('NotANodeServingCertificate', 'a node serving certificate needs at least one DNS name or IP address');
  const foreignDns = parsed.dnsNames.filter((d) => d !== node);
  if (foreignDns.length) return deny('NotANodeServingCertificate', `DNS names ${JSON.stringify(foreignDns)} are not the node's name ${JSON.stringify(node)}`);
  if (parsed.ipAddresses.length) {
    const known = nodeAddresses(node!);
    if (!known) return { verdict: 'skip', why: `node ${node!} is not registered yet: its addresses are unknown`, retry: true };
    const foreign = parsed.ipAddresses.filter((ip) => !known.ips.includes(ip));
    if (foreign.length) return deny('NotANodeServingCertificate', `IP addresses ${JSON.stringify(foreign)} are not addresses of node ${JSON.stringify(node)} (it has ${JSON.stringify(known.ips)})`);
  }
  return { verdict: 'approve', reason: 'AutoApproved', message: `Auto approving the serving certificate of node ${node!}: its name and addresses only.` };
}
