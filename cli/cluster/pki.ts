// The cluster's credentials under $GANTRY_HOME/pki: one CA signs the API server's serving
// certificate, the API server's client certificate for node agents, and every agent's
// serving certificate; bearer tokens for the admin, the scheduler and each node live in
// the API server's tokens.csv. etcd has a CA of its own (pki/etcd/ca.crt, as kubeadm does),
// so no certificate the cluster CA signs (a node's, say) opens the store: it signs etcd's
// serving and peer certificates and one client certificate, the API server's
// (pki/apiserver-etcd-client.crt). Everything is made once and reused by a later `up`.

import { randomBytes, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { makeCA, makeSignedCert, type KeyPair } from '../../common/pki/certs.js';
import type { EtcdClientTls, EtcdTlsFiles } from '../../common/proc/etcdProcess.js';

/** The CN node agents accept from the API server (the agent's allowedClientNames default). */
export const kubeletClientName = 'gantry-apiserver-kubelet-client';

export interface CertFiles {
  cert: string;
  key: string;
}

export interface ClusterPki {
  ca: KeyPair;
  caFile: string;
  /** The CA's key: the controller manager signs nodes' certificates with it. */
  caKeyFile: string;
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

/** Whether a certificate names every one of these IP addresses among its SANs. */
function certHasIps(certFile: string, ips: readonly string[]): boolean {
  try {
    const sans = new X509Certificate(fs.readFileSync(certFile)).subjectAltName ?? '';
    // IPv6 SANs print expanded; the IPv4 ones decide.
    return ips.filter((ip) => ip.includes('.')).every((ip) => sans.split(', ').includes(`IP Address:${ip}`));
  } catch {
    return false;
  }
}

/**
 * `apiServerIps`: the addresses clients dial besides loopback (the host network's gateway,
 * the `kubernetes` Service's ClusterIP); a certificate lacking one is made again.
 */
export function ensureClusterPki(dir: string, apiServerIps: readonly string[] = []): ClusterPki {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = loadOrMake(dir, 'ca', () => makeCA('gantry-ca'));
  const ips = [...new Set(['127.0.0.1', '::1', ...apiServerIps])];
  if (!certHasIps(path.join(dir, 'apiserver.crt'), ips)) fs.rmSync(path.join(dir, 'apiserver.crt'), { force: true });
  const apiServer = loadOrMake(dir, 'apiserver', () =>
    makeSignedCert(ca, { commonName: 'gantry-apiserver', dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'], ips }),
  );
  const kubeletClient = loadOrMake(dir, 'apiserver-kubelet-client', () =>
    makeSignedCert(ca, { commonName: kubeletClientName, dnsNames: [kubeletClientName], ips: [], usage: 'client' }),
  );
  const tokenFile = path.join(dir, 'tokens.csv');
  if (!fs.existsSync(tokenFile)) fs.writeFileSync(tokenFile, '', { mode: 0o600 });
  return { ca, caFile: ca.cert, caKeyFile: ca.key, apiServer: { cert: apiServer.cert, key: apiServer.key }, kubeletClient: { cert: kubeletClient.cert, key: kubeletClient.key }, tokenFile };
}

export interface EtcdPki {
  /** What etcd serves and trusts: pki/etcd/{ca,server,peer}. */
  server: EtcdTlsFiles;
  /** The API server's client certificate: the only client certificate there is. */
  apiServerClient: EtcdClientTls;
}

/** The CN of the API server's etcd client certificate (kubeadm's name). */
export const etcdClientName = 'kube-apiserver-etcd-client';

/**
 * etcd's CA and certificates under `<pkiDir>/etcd`, and the API server's client certificate
 * `<pkiDir>/apiserver-etcd-client.{crt,key}`. etcd listens on loopback: its certificates name
 * 127.0.0.1, ::1 and localhost.
 */
export function ensureEtcdPki(pkiDir: string): EtcdPki {
  const dir = path.join(pkiDir, 'etcd');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A CA made again invalidates what it signed: make those again too.
  const caExisted = fs.existsSync(path.join(dir, 'ca.crt')) && fs.existsSync(path.join(dir, 'ca.key'));
  const ca = loadOrMake(dir, 'ca', () => makeCA('gantry-etcd-ca'));
  if (!caExisted) for (const f of ['etcd/server', 'etcd/peer', 'apiserver-etcd-client']) for (const ext of ['crt', 'key']) fs.rmSync(path.join(pkiDir, `${f}.${ext}`), { force: true });
  const loopback = { dnsNames: ['localhost'], ips: ['127.0.0.1', '::1'] };
  const server = loadOrMake(dir, 'server', () => makeSignedCert(ca, { commonName: 'gantry-etcd-server', ...loopback, usage: 'both' }));
  const peer = loadOrMake(dir, 'peer', () => makeSignedCert(ca, { commonName: 'gantry-etcd-peer', ...loopback, usage: 'both' }));
  const client = loadOrMake(pkiDir, 'apiserver-etcd-client', () => makeSignedCert(ca, { commonName: etcdClientName, dnsNames: [], ips: [], usage: 'client' }));
  return {
    server: { caFile: ca.cert, certFile: server.cert, keyFile: server.key, peerCertFile: peer.cert, peerKeyFile: peer.key },
    apiServerClient: { caFile: ca.cert, certFile: client.cert, keyFile: client.key },
  };
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
