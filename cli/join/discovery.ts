// How a joining node learns to trust the API server (kubeadm's token discovery): it reads
// kube-public/cluster-info without credentials over TLS it cannot verify yet, takes the CA
// from it, and accepts that CA only if its public key matches the pin (`--ca-hash`) the
// operator copied from `gantry token create`. Only then is the bootstrap token sent, over
// TLS verified against that CA: a man in the middle sees neither the token nor gets trusted.

import https from 'node:https';
import { X509Certificate } from 'node:crypto';
import { parseYaml } from '../../common/yaml.js';
import { caPublicKeyHash, parseCaHash } from '../../common/pki/signer.js';

export class DiscoveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiscoveryError';
  }
}

export interface DiscoveryOptions {
  server: string;
  /** `sha256:<hex>`; required unless unsafeSkipCaVerification. */
  caHash?: string;
  unsafeSkipCaVerification?: boolean;
  timeoutMs?: number;
}

function getUnverified(url: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    // No trust yet: whatever this returns is checked against the pin before it is believed.
    const req = https.get(url, { rejectUnauthorized: false, timeout: timeoutMs, headers: { Accept: 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** The CA certificate (PEM) of the cluster at `server`, checked against the pin. */
export async function discoverClusterCA(opts: DiscoveryOptions): Promise<string> {
  const pin = opts.caHash ? parseCaHash(opts.caHash) : undefined;
  if (!pin && !opts.unsafeSkipCaVerification) {
    throw new DiscoveryError('refusing to join without --ca-hash: without it the server cannot be told from a man in the middle (use --unsafe-skip-ca-verification to accept any server)');
  }
  const url = new URL('/api/v1/namespaces/kube-public/configmaps/cluster-info', opts.server).toString();
  let res;
  try {
    res = await getUnverified(url, opts.timeoutMs ?? 10_000);
  } catch (e) {
    throw new DiscoveryError(`cannot reach ${opts.server}: ${(e as Error).message}`);
  }
  if (res.status !== 200) throw new DiscoveryError(`cannot read cluster-info from ${opts.server} (HTTP ${res.status}); was a token made with \`gantry token create\`?`);
  let caPem: string;
  try {
    const cm = JSON.parse(res.text) as { data?: { kubeconfig?: string } };
    const kc = parseYaml(cm.data?.kubeconfig ?? '') as { clusters?: { cluster?: { 'certificate-authority-data'?: string } }[] };
    caPem = Buffer.from(kc.clusters?.[0]?.cluster?.['certificate-authority-data'] ?? '', 'base64').toString('utf8');
    const cert = new X509Certificate(caPem);
    if (!cert.ca) throw new Error('the certificate is not a CA');
  } catch (e) {
    throw new DiscoveryError(`cluster-info from ${opts.server} holds no usable CA certificate: ${(e as Error).message}`);
  }
  if (pin) {
    const got = caPublicKeyHash(caPem);
    if (got !== pin) throw new DiscoveryError(`the cluster CA does not match --ca-hash: expected ${pin}, the server at ${opts.server} presented ${got}. Refusing to join: check the hash, or someone is in the middle`);
  }
  return caPem;
}
