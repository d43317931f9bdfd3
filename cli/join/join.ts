// `gantry join` as a library: what turns a machine (or a `gantry up` host) into a node, as
// `kubeadm join` and the kubelet's TLS bootstrap do:
//   1. trust: the cluster CA from cluster-info, checked against the pin (discovery.ts);
//   2. identity: a new key and a CSR for CN=system:node:<name>, O=system:nodes, sent with
//      the bootstrap token; the controller manager approves and signs it; the node's
//      kubeconfig then carries that client certificate;
//   3. registration: as the node, its Node object with its address (as the kubelet
//      registers before it asks for a serving certificate: the approver checks the SANs
//      against the node's addresses);
//   4. serving: a second CSR, as the node, for its agent's HTTPS (logs, exec): SANs its name
//      and address.
// A node that already holds a valid certificate of this cluster for this name is reused
// without the token (a restarted host, an expired token).

import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Backoff } from '../../common/backoff.js';
import { RestClient, type RestResponse } from '../../common/client/restClient.js';
import { readKubeconfig, renderKubeconfig } from '../../common/kubeconfig.js';
import { parseBootstrapToken } from '../../common/pki/bootstrapToken.js';
import { makeCsr } from '../../common/pki/csr.js';
import { kubeletClientSigner, kubeletServingSigner } from '../../common/pki/signers.js';
import { discoverClusterCA } from './discovery.js';


export class JoinError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JoinError';
  }
}

export interface JoinOptions {
  /** `https://HOST:6443`. */
  server: string;
  /** The bootstrap token `<id>.<secret>`; not needed when `dir` holds valid credentials for this node. */
  token?: string;
  /** `sha256:<hex>` of the CA's public key; required unless unsafeSkipCaVerification. */
  caHash?: string;
  unsafeSkipCaVerification?: boolean;
  nodeName: string;
  /** The node's address: its InternalIP and serving certificate's IP SAN. */
  address: string;
  /** Where the node's files go (created 0700). */
  dir: string;
  /** How long to wait for each certificate (default 120 s). */
  timeoutMs?: number;
  /** Progress lines. */
  out?: (line: string) => void;
}

export interface JoinedNode {
  nodeName: string;
  server: string;
  dir: string;
  /** The node's kubeconfig: the server, the CA, its client certificate and key. */
  kubeconfig: string;
  caFile: string;
  clientCert: { cert: string; key: string };
  serving: { cert: string; key: string };
  /** True when valid credentials from an earlier join were kept. */
  reused: boolean;
}

export function joinedFiles(dir: string): Omit<JoinedNode, 'nodeName' | 'server' | 'reused'> {
  return {
    dir,
    kubeconfig: path.join(dir, 'kubeconfig'),
    caFile: path.join(dir, 'ca.crt'),
    clientCert: { cert: path.join(dir, 'client.crt'), key: path.join(dir, 'client.key') },
    serving: { cert: path.join(dir, 'serving.crt'), key: path.join(dir, 'serving.key') },
  };
}

function writeSecret(file: string, text: string): void {
  fs.writeFileSync(file, text, { mode: 0o600 });
}

/** Certificates valid for at least another hour, signed by `caPem`, for this node and address. */
function stillValid(files: ReturnType<typeof joinedFiles>, opts: JoinOptions): boolean {
  try {
    const ca = new X509Certificate(fs.readFileSync(files.caFile, 'utf8'));
    const access = readKubeconfig(files.kubeconfig);
    if (access.server !== opts.server) return false;
    const client = new X509Certificate(fs.readFileSync(files.clientCert.cert, 'utf8'));
    const serving = new X509Certificate(fs.readFileSync(files.serving.cert, 'utf8'));
    const soon = Date.now() + 60 * 60 * 1000;
    for (const c of [client, serving]) if (!c.verify(ca.publicKey) || new Date(c.validTo).getTime() < soon) return false;
    return client.subject.includes(`CN=system:node:${opts.nodeName}`) && serving.checkIP(opts.address) !== undefined;
  } catch {
    return false;
  }
}

interface CsrObject {
  metadata: { name: string };
  status?: { certificate?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

const csrPath = '/apis/certificates.k8s.io/v1/certificatesigningrequests';

function failure(what: string, res: RestResponse): JoinError {
  const body = res.body as { message?: string } | undefined;
  return new JoinError(`${what}: HTTP ${res.status}${body?.message ? `: ${body.message}` : ''}`);
}

/** Creates a CSR and waits (polling with back-off) until it is signed; throws when denied or failed. */
async function requestCertificate(client: RestClient, opts: { csrPem: string; signerName: string; usages: string[]; what: string; timeoutMs: number; retryUnauthorizedMs: number }): Promise<string> {
  const body = { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { generateName: 'node-csr-' }, spec: { request: Buffer.from(opts.csrPem).toString('base64'), signerName: opts.signerName, usages: opts.usages } };
  const deadline = Date.now() + opts.timeoutMs;
  let created: RestResponse<CsrObject>;
  // A token made a moment ago may not have reached the API server's cache yet.
  const unauthorizedUntil = Date.now() + opts.retryUnauthorizedMs;
  for (;;) {
    created = await client.request<CsrObject>('POST', csrPath, { body });
    if (created.status !== 401 || Date.now() > unauthorizedUntil) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (created.status === 401) throw new JoinError(`the API server refused the credentials for the ${opts.what} request (401 Unauthorized): the token is wrong, expired or deleted`);
  if (created.status !== 201) throw failure(`cannot request the ${opts.what}`, created);
  const name = created.body.metadata.name;
  const backoff = new Backoff({ initialMs: 100, maxMs: 2_000, factor: 1.5 });
  for (;;) {
    const res = await client.request<CsrObject>('GET', `${csrPath}/${name}`);
    if (res.status !== 200) throw failure(`cannot read certificate signing request ${name}`, res);
    const status = res.body.status ?? {};
    const bad = (status.conditions ?? []).find((c) => (c.type === 'Denied' || c.type === 'Failed') && c.status === 'True');
    if (bad) throw new JoinError(`the ${opts.what} request ${name} was ${bad.type === 'Denied' ? 'denied' : 'not signed'}${bad.reason ? ` (${bad.reason})` : ''}: ${bad.message ?? ''}`);
    if (status.certificate) return Buffer.from(status.certificate, 'base64').toString('utf8');
    if (Date.now() > deadline) {
      const approved = (status.conditions ?? []).some((c) => c.type === 'Approved');
      throw new JoinError(`the ${opts.what} request ${name} was not ${approved ? 'signed' : 'approved'} within ${Math.round(opts.timeoutMs / 1000)} s; is the controller manager running${approved ? ' with --cluster-signing-cert-file' : ''}? (\`kubectl get csr ${name}\`)`);
    }
    await new Promise((r) => setTimeout(r, backoff.next()));
  }
}

/** Registers the Node (as the node itself) with its address, or updates the address of an existing one. */
async function registerNode(client: RestClient, nodeName: string, address: string): Promise<void> {
  const addresses = [{ type: 'InternalIP', address }, { type: 'Hostname', address: nodeName }];
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName, labels: { 'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux' } }, status: { addresses } };
  const created = await client.request('POST', '/api/v1/nodes', { body: node });
  if (created.status === 201) return;
  if (created.status !== 409) throw failure(`cannot register node ${nodeName}`, created);
  const patched = await client.request('PATCH', `/api/v1/nodes/${nodeName}/status`, { body: { status: { addresses } }, contentType: 'application/merge-patch+json' });
  if (patched.status !== 200) throw failure(`cannot update the addresses of node ${nodeName}`, patched);
}

export async function joinCluster(opts: JoinOptions): Promise<JoinedNode> {
  const out = opts.out ?? ((): void => undefined);
  const files = joinedFiles(opts.dir);
  fs.mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  if (stillValid(files, opts)) {
    out(`node ${opts.nodeName} already holds valid credentials in ${opts.dir}; keeping them`);
    return { ...files, nodeName: opts.nodeName, server: opts.server, reused: true };
  }
  if (opts.token === undefined) {
    throw new JoinError(`a bootstrap token is needed: ${opts.dir} holds no valid credentials of node ${opts.nodeName} at ${opts.address} for ${opts.server} (make one with \`gantry token create\` and pass --token)`);
  }
  const token = opts.token;
  if (!parseBootstrapToken(token)) throw new JoinError('invalid token: expected <id>.<secret>, 6 and 16 characters of [a-z0-9] (from `gantry token create`)');
  const timeoutMs = opts.timeoutMs ?? 120_000;

  out(`discovering the cluster CA at ${opts.server}`);
  const caPem = await discoverClusterCA({ server: opts.server, ...(opts.caHash ? { caHash: opts.caHash } : {}), ...(opts.unsafeSkipCaVerification ? { unsafeSkipCaVerification: true } : {}) });
  fs.writeFileSync(files.caFile, caPem);

  out(`requesting a client certificate for system:node:${opts.nodeName}`);
  const bootstrap = new RestClient({ server: opts.server, caPem, token });
  let clientPem: string;
  const client = makeCsr({ commonName: `system:node:${opts.nodeName}`, organizations: ['system:nodes'] });
  try {
    clientPem = await requestCertificate(bootstrap, { csrPem: client.csrPem, signerName: kubeletClientSigner, usages: ['digital signature', 'client auth'], what: 'client certificate', timeoutMs, retryUnauthorizedMs: 3_000 });
  } finally {
    bootstrap.close();
  }
  writeSecret(files.clientCert.key, client.keyPem);
  fs.writeFileSync(files.clientCert.cert, clientPem);
  writeSecret(files.kubeconfig, renderKubeconfig({ server: opts.server, caPem, token: '', certPem: clientPem, keyPem: client.keyPem, user: `system:node:${opts.nodeName}` }));

  const asNode = new RestClient(readKubeconfig(files.kubeconfig));
  try {
    out(`registering node ${opts.nodeName} at ${opts.address}`);
    await registerNode(asNode, opts.nodeName, opts.address);
    out('requesting a serving certificate for the node agent');
    const serving = makeCsr({ commonName: `system:node:${opts.nodeName}`, organizations: ['system:nodes'], dnsNames: [opts.nodeName], ips: [opts.address] });
    const servingPem = await requestCertificate(asNode, { csrPem: serving.csrPem, signerName: kubeletServingSigner, usages: ['digital signature', 'server auth'], what: 'serving certificate', timeoutMs, retryUnauthorizedMs: 0 });
    writeSecret(files.serving.key, serving.keyPem);
    fs.writeFileSync(files.serving.cert, servingPem);
  } finally {
    asNode.close();
  }
  out(`node ${opts.nodeName} joined ${opts.server}`);
  return { ...files, nodeName: opts.nodeName, server: opts.server, reused: false };
}
