// Kubeconfig files: written by `gantry up`, read by Gantry's own clients.

import fs from 'node:fs';
import path from 'node:path';
import { parseYaml, toYaml } from './yaml.js';

export interface ClusterAccess {
  server: string;
  caPem: string;
  /** Bearer token; '' when the client authenticates with a certificate instead. */
  token: string;
  /** Client certificate and key (PEM), e.g. a node's after `gantry join`. */
  certPem?: string;
  keyPem?: string;
  /** Context and cluster name. */
  name?: string;
  /** The user entry's name; default `<name>-admin`. */
  user?: string;
}

export function renderKubeconfig(a: ClusterAccess): string {
  const name = a.name ?? 'gantry';
  const user = a.user ?? `${name}-admin`;
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: a.server, 'certificate-authority-data': Buffer.from(a.caPem).toString('base64') } }],
    users: [{ name: user, user: userEntry(a) }],
    contexts: [{ name, context: { cluster: name, user, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

function userEntry(a: ClusterAccess): Record<string, string> {
  const out: Record<string, string> = {};
  if (a.certPem && a.keyPem) {
    out['client-certificate-data'] = Buffer.from(a.certPem).toString('base64');
    out['client-key-data'] = Buffer.from(a.keyPem).toString('base64');
  }
  if (a.token) out.token = a.token;
  return out;
}

interface KubeconfigUser {
  token?: string;
  'client-certificate-data'?: string;
  'client-key-data'?: string;
  'client-certificate'?: string;
  'client-key'?: string;
}

/** Inline data, or a file path relative to the kubeconfig's directory, as kubectl reads them. */
function credential(file: string, data: string | undefined, ref: string | undefined): string | undefined {
  if (data) return Buffer.from(data, 'base64').toString();
  if (ref) return fs.readFileSync(path.resolve(path.dirname(file), ref), 'utf8');
  return undefined;
}

/** Reads the current context's server, CA and token or client certificate from a kubeconfig file. */
export function readKubeconfig(file: string): ClusterAccess {
  const doc = parseYaml(fs.readFileSync(file, 'utf8')) as {
    clusters?: { name: string; cluster: { server: string; 'certificate-authority-data'?: string } }[];
    users?: { name: string; user: KubeconfigUser }[];
    contexts?: { name: string; context: { cluster: string; user: string } }[];
    'current-context'?: string;
  };
  const ctx = doc.contexts?.find((c) => c.name === doc['current-context']);
  const cluster = doc.clusters?.find((c) => c.name === ctx?.context.cluster);
  const user = doc.users?.find((u) => u.name === ctx?.context.user);
  const certPem = user ? credential(file, user.user['client-certificate-data'], user.user['client-certificate']) : undefined;
  const keyPem = user ? credential(file, user.user['client-key-data'], user.user['client-key']) : undefined;
  if (!ctx || !cluster || !(user?.user.token || (certPem && keyPem))) throw new Error(`${file}: no usable current context with a token or a client certificate`);
  return {
    server: cluster.cluster.server,
    caPem: Buffer.from(cluster.cluster['certificate-authority-data'] ?? '', 'base64').toString(),
    token: user?.user.token ?? '',
    ...(certPem && keyPem ? { certPem, keyPem } : {}),
    name: ctx.name,
  };
}
