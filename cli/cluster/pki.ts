// The cluster's credentials under $GANTRY_HOME/pki: one CA signs the API server's serving
// certificate, the API server's client certificate for node agents, and every agent's
// serving certificate; bearer tokens for the admin, the scheduler and each node live in
// the API server's tokens.csv. Everything is made once and reused by a later `up`.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { makeCA, makeSignedCert, type KeyPair } from '../../common/pki/certs.js';

/** The CN node agents accept from the API server (the agent's allowedClientNames default). */
export const kubeletClientName = 'gantry-apiserver-kubelet-client';

export interface CertFiles {
  cert: string;
  key: string;
}

export interface ClusterPki {
  ca: KeyPair;
  caFile: string;
  apiServer: CertFiles;
  /** The API server's client certificate for logs and exec on node agents. */
  kubeletClient: CertFiles;
  tokenFile: string;
}

/** `<dir>/<name>.crt` and `.key`, made by `make` unless both exist already. */
export function loadOrMake(dir: string, name: string, make: () => KeyPair): KeyPair & CertFiles {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  if (fs.existsSync(cert) && fs.existsSync(key)) return { certPem: fs.readFileSync(cert, 'utf8'), keyPem: fs.readFileSync(key, 'utf8'), cert, key };
  const pair = make();
  fs.writeFileSync(cert, pair.certPem);
  fs.writeFileSync(key, pair.keyPem, { mode: 0o600 });
  return { ...pair, cert, key };
}

export function ensureClusterPki(dir: string): ClusterPki {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = loadOrMake(dir, 'ca', () => makeCA('gantry-ca'));
  const apiServer = loadOrMake(dir, 'apiserver', () =>
    makeSignedCert(ca, { commonName: 'gantry-apiserver', dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'], ips: ['127.0.0.1', '::1'] }),
  );
  const kubeletClient = loadOrMake(dir, 'apiserver-kubelet-client', () =>
    makeSignedCert(ca, { commonName: kubeletClientName, dnsNames: [kubeletClientName], ips: [], usage: 'client' }),
  );
  const tokenFile = path.join(dir, 'tokens.csv');
  if (!fs.existsSync(tokenFile)) fs.writeFileSync(tokenFile, '', { mode: 0o600 });
  return { ca, caFile: ca.cert, apiServer: { cert: apiServer.cert, key: apiServer.key }, kubeletClient: { cert: kubeletClient.cert, key: kubeletClient.key }, tokenFile };
}

/** A node agent's serving certificate: SANs are the address the API server dials and the node name. */
export function ensureNodeServingCert(dir: string, ca: KeyPair, nodeName: string, address: string): CertFiles {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pair = loadOrMake(dir, 'serving', () => makeSignedCert(ca, { commonName: `system:node:${nodeName}`, dnsNames: [nodeName], ips: [address] }));
  return { cert: pair.cert, key: pair.key };
}

/** The token line format of the API server's --token-file: token,user,uid,"group1,group2". */
export function tokenLine(token: string, user: string, uid: string, groups: string[]): string {
  return groups.length ? `${token},${user},${uid},"${groups.join(',')}"` : `${token},${user},${uid}`;
}

/**
 * The bearer token of `user` in the token file, adding a fresh one when the user has none.
 * (The API server reads the file at start, so tokens are added before it starts.)
 */
export function ensureToken(tokenFile: string, user: string, uid: string, groups: string[]): string {
  const lines = fs.existsSync(tokenFile) ? fs.readFileSync(tokenFile, 'utf8').split('\n').filter((l) => l.trim()) : [];
  for (const l of lines) {
    const [token, name] = l.split(',');
    if (name === user && token) return token;
  }
  const token = randomBytes(24).toString('hex');
  fs.writeFileSync(tokenFile, [...lines, tokenLine(token, user, uid, groups)].join('\n') + '\n', { mode: 0o600 });
  return token;
}
