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
  tokenFile?: string;
  'client-certificate-data'?: string;
  'client-key-data'?: string;
  'client-certificate'?: string;
  'client-key'?: string;
}

interface KubeconfigCluster {
  server?: string;
  'certificate-authority-data'?: string;
  'certificate-authority'?: string;
}

interface KubeconfigContext {
  cluster?: string;
  user?: string;
  namespace?: string;
}

interface KubeconfigDoc {
  clusters?: { name: string; cluster?: KubeconfigCluster }[] | null;
  users?: { name: string; user?: KubeconfigUser }[] | null;
  contexts?: { name: string; context?: KubeconfigContext }[] | null;
  'current-context'?: string;
}

/** Inline data, or a file path relative to the kubeconfig's directory, as kubectl reads them. */
function credential(file: string, data: string | undefined, ref: string | undefined): string | undefined {
  if (data) return Buffer.from(data, 'base64').toString();
  if (ref) return fs.readFileSync(path.resolve(path.dirname(file), ref), 'utf8');
  return undefined;
}

/** A kubeconfig that cannot be used: missing, unparsable, or naming what it does not define. */
export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

/** What a client reaches and as whom, after the kubeconfig files were merged and a context chosen. */
export interface KubeconfigSelection {
  access: ClusterAccess;
  /** The chosen context's name. */
  context: string;
  /** The context's namespace; '' when it sets none (clients then use `default`). */
  namespace: string;
  /** The files that were read, in precedence order. */
  files: string[];
}

/** One named entry and the file that defined it (relative credential paths resolve from there). */
interface Entry<T> {
  value: T;
  file: string;
}

/**
 * Merges kubeconfig files as kubectl merges a KUBECONFIG list: for clusters, users and
 * contexts the first file that defines a name wins, and so does the first file that sets
 * current-context. Missing files are skipped; none existing is an error. `context` chooses
 * another context than the current one (kubectl's --context).
 */
export function loadKubeconfig(files: readonly string[], opts: { context?: string } = {}): KubeconfigSelection {
  const read: string[] = [];
  const clusters = new Map<string, Entry<KubeconfigCluster>>();
  const users = new Map<string, Entry<KubeconfigUser>>();
  const contexts = new Map<string, Entry<KubeconfigContext>>();
  let current: string | undefined;
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new KubeconfigError(`${file}: ${(e as Error).message}`);
    }
    let doc: KubeconfigDoc;
    try {
      doc = (parseYaml(text) ?? {}) as KubeconfigDoc;
    } catch (e) {
      throw new KubeconfigError(`${file}: not a kubeconfig: ${(e as Error).message}`);
    }
    read.push(file);
    for (const c of doc.clusters ?? []) if (c?.name && !clusters.has(c.name)) clusters.set(c.name, { value: c.cluster ?? {}, file });
    for (const u of doc.users ?? []) if (u?.name && !users.has(u.name)) users.set(u.name, { value: u.user ?? {}, file });
    for (const c of doc.contexts ?? []) if (c?.name && !contexts.has(c.name)) contexts.set(c.name, { value: c.context ?? {}, file });
    if (current === undefined && doc['current-context']) current = doc['current-context'];
  }
  if (!read.length) throw new KubeconfigError(`no kubeconfig file found (looked for ${files.join(', ')})`);
  const where = read.join(', ');
  const name = opts.context ?? current;
  if (!name) throw new KubeconfigError(`${where}: no current context (choose one with --context)`);
  const ctx = contexts.get(name);
  if (!ctx) throw new KubeconfigError(`${where}: context "${name}" not found${contexts.size ? ` (contexts: ${[...contexts.keys()].join(', ')})` : ''}`);
  const cluster = ctx.value.cluster ? clusters.get(ctx.value.cluster) : undefined;
  if (!cluster?.value.server) throw new KubeconfigError(`${where}: context "${name}" names cluster "${ctx.value.cluster ?? ''}", which is not defined or has no server`);
  const user = ctx.value.user ? users.get(ctx.value.user) : undefined;
  const u = user?.value ?? {};
  const certPem = user ? credential(user.file, u['client-certificate-data'], u['client-certificate']) : undefined;
  const keyPem = user ? credential(user.file, u['client-key-data'], u['client-key']) : undefined;
  const token = u.token ?? (u.tokenFile && user ? fs.readFileSync(path.resolve(path.dirname(user.file), u.tokenFile), 'utf8').trim() : '');
  if (!token && !(certPem && keyPem)) throw new KubeconfigError(`${where}: context "${name}" has no usable credentials (a token or a client certificate)`);
  const c = cluster.value;
  return {
    access: {
      server: c.server!,
      caPem: credential(cluster.file, c['certificate-authority-data'], c['certificate-authority']) ?? '',
      token,
      ...(certPem && keyPem ? { certPem, keyPem } : {}),
      name,
    },
    context: name,
    namespace: ctx.value.namespace ?? '',
    files: read,
  };
}

/** Reads the current context's server, CA and token or client certificate from a kubeconfig file. */
export function readKubeconfig(file: string): ClusterAccess {
  try {
    return loadKubeconfig([file]).access;
  } catch (e) {
    if (e instanceof KubeconfigError && fs.existsSync(file)) throw new Error(`${file}: no usable current context with a token or a client certificate`);
    throw e;
  }
}
