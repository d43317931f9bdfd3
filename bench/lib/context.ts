// What every phase needs: the cluster, a client for each side, and the pod bytes the
// floors must match.

import { performance } from 'node:perf_hooks';
import type { ApiHttp } from './apiHttp.js';
import type { BenchCluster } from './cluster.js';
import { benchPodBody } from './podFixture.js';
import type { RawEtcd } from './rawEtcd.js';

/** Namespace of every pod the create and LIST phases make (the LIST phase fills it to its target). */
export const benchNamespace = 'bench';
/** A namespace of its own for the watch phase, so watchers start from an empty state. */
export const watchNamespace = 'bench-watch';
/** Concurrency of the closed loops (the throughput figure's 64 clients). */
export const clients = 64;

export interface BenchContext {
  cluster: BenchCluster;
  api: ApiHttp;
  floor: RawEtcd;
  /** A raw client of the API server's own etcd, for reads and watches only (they do not move its revision). */
  apiEtcd: RawEtcd;
  /** The bytes the API server stored in etcd for one bench pod: floors write values of this size. */
  storedPod: Buffer;
  /** Size of the JSON body POSTed per pod. */
  requestBytes: number;
  /** The API server's RSS before any pod existed. */
  apiServerRssAtStart: number;
  /** Pods successfully created in benchNamespace so far. */
  podsCreated: number;
  /** Progress lines (stderr, so stdout holds only the results). */
  progress(line: string): void;
}

export function podsPath(namespace: string): string {
  return `/api/v1/namespaces/${namespace}/pods`;
}

/** POSTs one bench pod; true on 201. Counts pods made in benchNamespace. */
export async function createPod(ctx: BenchContext, namespace: string, name: string): Promise<boolean> {
  const res = await ctx.api.post(podsPath(namespace), benchPodBody(name));
  if (res.status !== 201) throw new Error(`create ${namespace}/${name}: HTTP ${res.status}: ${res.body.toString().slice(0, 200)}`);
  if (namespace === benchNamespace) ctx.podsCreated++;
  return true;
}

/** Times one async call in ms. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}
