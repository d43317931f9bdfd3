// Kubernetes' Node authorizer graph: which Secrets, ConfigMaps, PersistentVolumeClaims and
// ServiceAccounts each node may read, because a pod bound to it (spec.nodeName) refers to
// them, and which PersistentVolumes, because such a claim is bound to them (pod -> claim ->
// volume). Fed from the API server's own watch cache of pods and claims, in the same
// synchronous step that notifies every watcher: a node agent learns of a pod only through
// that cache, so by the time it can ask for a pod's Secret the graph already holds the edge.

import { isObject, type KubeObject } from '../../common/api/meta.js';
import type { Logger } from '../../common/logging.js';
import type { CachedObject } from '../watchcache/cachedObject.js';
import type { CacheEvent, CacheWatch, WatchCache } from '../watchcache/watchCache.js';

/** The kinds a node reads through the graph, as `group/resource`. */
export const graphResources = ['/secrets', '/configmaps', '/persistentvolumeclaims', '/serviceaccounts'] as const;
export type GraphResource = (typeof graphResources)[number];

const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isObject) : []);
const obj = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Every object of a graph kind the pod refers to, as `group/resource/name` (same namespace as the pod). */
export function podReferences(pod: KubeObject): string[] {
  const spec = obj(pod.spec);
  const out = new Set<string>();
  const add = (resource: GraphResource, name: unknown): void => {
    const n = str(name);
    if (n) out.add(`${resource}/${n}`);
  };
  for (const s of list(spec.imagePullSecrets)) add('/secrets', s.name);
  add('/serviceaccounts', spec.serviceAccountName ?? spec.serviceAccount);
  for (const v of list(spec.volumes)) {
    add('/secrets', obj(v.secret).secretName);
    add('/configmaps', obj(v.configMap).name);
    add('/persistentvolumeclaims', obj(v.persistentVolumeClaim).claimName);
    // A generic ephemeral volume's claim is named <pod>-<volume> (Kubernetes' ephemeral.VolumeClaimName).
    if (isObject(v.ephemeral) && str(v.name) && str(pod.metadata.name)) add('/persistentvolumeclaims', `${pod.metadata.name}-${String(v.name)}`);
    for (const src of list(obj(v.projected).sources)) {
      add('/secrets', obj(src.secret).name);
      add('/configmaps', obj(src.configMap).name);
    }
    // Volume plugins that take credentials from a Secret.
    add('/secrets', obj(obj(v.csi).nodePublishSecretRef).name);
    for (const plugin of ['cephfs', 'cinder', 'flexVolume', 'iscsi', 'rbd', 'scaleIO', 'storageos']) add('/secrets', obj(obj(v[plugin]).secretRef).name);
    add('/secrets', obj(v.azureFile).secretName);
  }
  for (const c of [...list(spec.initContainers), ...list(spec.containers), ...list(spec.ephemeralContainers)]) {
    for (const e of list(c.env)) {
      const from = obj(e.valueFrom);
      add('/secrets', obj(from.secretKeyRef).name);
      add('/configmaps', obj(from.configMapKeyRef).name);
    }
    for (const e of list(c.envFrom)) {
      add('/secrets', obj(e.secretRef).name);
      add('/configmaps', obj(e.configMapRef).name);
    }
  }
  return [...out];
}

function nodeNameOf(pod: KubeObject): string | undefined {
  return str(obj(pod.spec).nodeName);
}

/** Node -> `group/resource/namespace/name` -> how many of its pods refer to it; volume -> the claims bound to it. */
export class NodeGraph {
  private readonly byPod = new Map<string, { node: string; refs: string[] }>();
  private readonly byNode = new Map<string, Map<string, number>>();
  /** Claim (by cache key) -> `namespace/name` and the volume its spec.volumeName names. */
  private readonly claimVolume = new Map<string, { claim: string; volume: string }>();
  /** Volume name -> the claims (`namespace/name`) that name it. */
  private readonly volumeClaims = new Map<string, Set<string>>();

  /** Whether a pod bound to `node` refers to this object now (a volume: through a claim bound to it). */
  allows(node: string, resource: string, namespace: string, name: string): boolean {
    if (resource === '/persistentvolumes') return this.allowsVolume(node, name);
    return (this.byNode.get(node)?.get(`${resource}/${namespace}/${name}`) ?? 0) > 0;
  }

  private allowsVolume(node: string, volume: string): boolean {
    const counts = this.byNode.get(node);
    if (!counts) return false;
    for (const claim of this.volumeClaims.get(volume) ?? []) if ((counts.get(`/persistentvolumeclaims/${claim}`) ?? 0) > 0) return true;
    return false;
  }

  /** The claim's current state (undefined: gone): which volume it is bound to. */
  setClaim(key: string, pvc: KubeObject | undefined): void {
    const old = this.claimVolume.get(key);
    if (old) {
      const claims = this.volumeClaims.get(old.volume)!;
      claims.delete(old.claim);
      if (claims.size === 0) this.volumeClaims.delete(old.volume);
      this.claimVolume.delete(key);
    }
    const volume = pvc ? str(obj(pvc.spec).volumeName) : undefined;
    if (!pvc || !volume) return;
    const claim = `${pvc.metadata.namespace ?? ''}/${pvc.metadata.name ?? ''}`;
    this.claimVolume.set(key, { claim, volume });
    let claims = this.volumeClaims.get(volume);
    if (!claims) this.volumeClaims.set(volume, (claims = new Set()));
    claims.add(claim);
  }

  /** The pod's current state (undefined: gone). */
  setPod(key: string, pod: KubeObject | undefined): void {
    this.removePod(key);
    const node = pod ? nodeNameOf(pod) : undefined;
    if (!pod || !node) return;
    const ns = pod.metadata.namespace ?? '';
    const refs = podReferences(pod).map((r) => {
      const slash = r.lastIndexOf('/');
      return `${r.slice(0, slash)}/${ns}/${r.slice(slash + 1)}`;
    });
    this.byPod.set(key, { node, refs });
    let counts = this.byNode.get(node);
    if (!counts) this.byNode.set(node, (counts = new Map()));
    for (const r of refs) counts.set(r, (counts.get(r) ?? 0) + 1);
  }

  clear(): void {
    this.byPod.clear();
    this.byNode.clear();
    this.claimVolume.clear();
    this.volumeClaims.clear();
  }

  /** Pods bound to a node that the graph holds (for tests and metrics). */
  get size(): number {
    return this.byPod.size;
  }

  private removePod(key: string): void {
    const old = this.byPod.get(key);
    if (!old) return;
    this.byPod.delete(key);
    const counts = this.byNode.get(old.node)!;
    for (const r of old.refs) {
      const n = (counts.get(r) ?? 0) - 1;
      if (n > 0) counts.set(r, n);
      else counts.delete(r);
    }
    if (counts.size === 0) this.byNode.delete(old.node);
  }
}

/** A pod entry without spec.nodeName, read from its selector fields without parsing (only for entries that hold a Pod's fields). */
function unboundPod(e: CachedObject): boolean {
  return e.kind === 'Pod' && e.fields['spec.nodeName'] === '';
}

/**
 * Whether two states of one key have the same spec, from their bytes. What the graph reads
 * of an object is its spec and its name and namespace, which the key fixes: the same spec
 * leaves the graph as it is. Specs written in another member order count as changed.
 */
export function sameSpec(a: CachedObject, b: CachedObject): boolean {
  const x = a.specJson();
  const y = b.specJson();
  return x === undefined ? y === undefined : y !== undefined && x.equals(y);
}

/**
 * What the graph reads of an entry: its name, namespace and spec, parsing only the spec's
 * bytes (a pod's managedFields and status are most of its JSON).
 */
export function graphView(e: CachedObject): KubeObject {
  const spec = e.specJson();
  if (!spec) return e.object;
  return { metadata: { name: e.fields['metadata.name'], namespace: e.fields['metadata.namespace'] }, spec: JSON.parse(spec.toString()) as unknown };
}

/**
 * Keeps `graph` equal to the pods and claims in `cache`: a full load, then every event. When
 * the cache reloads (its etcd watch broke) it ends our watches; we load again from the new
 * state. Returns a stop function.
 */
export function followPods(cache: WatchCache, root: string, graph: NodeGraph, logger: Logger): () => void {
  const sources: { prefix: string; set: (key: string, o: KubeObject | undefined) => void; unbound?: (e: CachedObject) => boolean }[] = [
    { prefix: `${root}pods/`, set: (key, o) => graph.setPod(key, o), unbound: unboundPod },
    { prefix: `${root}persistentvolumeclaims/`, set: (key, o) => graph.setClaim(key, o) },
  ];
  let watches: CacheWatch[] = [];
  let stopped = false;
  let reloading = false;
  const closeAll = (): void => {
    const open = watches;
    watches = [];
    for (const w of open) w.close();
  };
  const load = (): void => {
    if (stopped) return;
    reloading = false;
    graph.clear();
    // List and subscribe in one synchronous step: nothing falls between them.
    for (const { prefix, set, unbound } of sources) {
      for (const e of cache.list(prefix)) set(e.key, unbound?.(e) ? undefined : graphView(e));
      // Parsing every event would cost more than the rest of the graph: most pod writes are
      // status writes, and an unbound pod refers nothing to any node.
      const onEvent = (ev: CacheEvent): void => {
        if (ev.type === 'DELETED' || unbound?.(ev.entry)) set(ev.key, undefined);
        else if (!(ev.type === 'MODIFIED' && ev.previousEntry && sameSpec(ev.previousEntry, ev.entry))) set(ev.key, graphView(ev.entry));
      };
      watches.push(
        cache.watch(
          prefix,
          cache.revision,
          onEvent,
          (err) => {
            if (stopped || !err || reloading) return;
            reloading = true;
            closeAll();
            logger.info('watch for the node authorizer ended; reloading', { error: err.message });
            void cache.start().then(load, (e: unknown) => logger.error('node authorizer reload failed', { error: String(e) }));
          },
        ),
      );
    }
  };
  load();
  return () => {
    stopped = true;
    closeAll();
  };
}
