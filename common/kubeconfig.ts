// Kubeconfig files: written by `gantry up`, read by Gantry's own clients.

import fs from 'node:fs';
import { parseYaml, toYaml } from './yaml.js';

export interface ClusterAccess {
  server: string;
  caPem: string;
  token: string;
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
    users: [{ name: user, user: { token: a.token } }],
    contexts: [{ name, context: { cluster: name, user, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

/** Reads the current context's server, CA and token from a kubeconfig file. */
export function readKubeconfig(file: string): ClusterAccess {
  const doc = parseYaml(fs.readFileSync(file, 'utf8')) as {
    clusters?: { name: string; cluster: { server: string; 'certificate-authority-data'?: string } }[];
    users?: { name: string; user: { token?: string } }[];
    contexts?: { name: string; context: { cluster: string; user: string } }[];
    'current-context'?: string;
  };
  const ctx = doc.contexts?.find((c) => c.name === doc['current-context']);
  const cluster = doc.clusters?.find((c) => c.name === ctx?.context.cluster);
  const user = doc.users?.find((u) => u.name === ctx?.context.user);
  if (!ctx || !cluster || !user?.user.token) throw new Error(`${file}: no usable current context with a token`);
  return {
    server: cluster.cluster.server,
    caPem: Buffer.from(cluster.cluster['certificate-authority-data'] ?? '', 'base64').toString(),
    token: user.user.token,
    name: ctx.name,
  };
}
