// Claims: one etcd key per allocated value, created only if absent (the storage seam's
// create is a transaction on mod_revision == 0). Whoever creates the key holds the value;
// no in-memory bitmap has to agree across API servers or survive a restart.
//
// Cluster IP claims are stored as networking.k8s.io/v1 IPAddress objects at the key where
// a served IPAddress resource would keep them (Kubernetes 1.33 claims IPs the same way), so
// serving `kubectl get ipaddresses` later needs a descriptor, not a migration. Node ports
// have no Kubernetes object; their claims use the same shape under an internal kind.

import type { KubeObject } from '../../../common/api/meta.js';
import { isObject } from '../../../common/api/meta.js';
import type { Clock } from '../../../common/clock.js';
import { rfc3339 } from '../../../common/clock.js';
import { KeyExistsError, KeyNotFoundError, RevisionMismatchError } from '../../storage/errors.js';
import type { Storage } from '../../storage/storage.js';

/** The object a claim is held for: a Service, by namespace and name (IPAddress's parentRef), and uid. */
export interface ClaimOwner {
  namespace: string;
  name: string;
  /** Tells a Service from a namesake created after it was deleted. */
  uid?: string;
}

/** IPAddress's parentRef has no uid; it rides in an annotation, which any schema keeps. */
const uidAnnotation = 'gantry.dev/parent-uid';

export interface HeldClaim {
  value: string;
  owner: ClaimOwner | undefined;
  /** Milliseconds since the epoch; 0 when unknown. */
  createdAt: number;
}

export interface ClaimKind {
  /** Key prefix ending in '/', e.g. `/registry/ipaddresses.networking.k8s.io/`. */
  prefix: string;
  apiVersion: string;
  kind: string;
  /** Labels every claim of this kind carries. */
  labels?: Record<string, string>;
}

/** Same namespace and name, and the same uid when both know it. */
export const sameOwner = (a: ClaimOwner | undefined, b: ClaimOwner): boolean =>
  a?.namespace === b.namespace && a.name === b.name && (a.uid === undefined || b.uid === undefined || a.uid === b.uid);
export const ownerText = (o: ClaimOwner | undefined): string => (o ? `${o.namespace}/${o.name}` : '<unknown>');

export class ClaimStore {
  constructor(
    private readonly storage: Storage,
    private readonly kind: ClaimKind,
    private readonly clock: Clock,
  ) {}

  private key(value: string): string {
    return this.kind.prefix + value;
  }

  /** Takes `value` for `owner`; false when someone holds it already. */
  async claim(value: string, owner: ClaimOwner): Promise<boolean> {
    const obj: KubeObject = {
      apiVersion: this.kind.apiVersion,
      kind: this.kind.kind,
      metadata: {
        name: value,
        creationTimestamp: rfc3339(this.clock.now()),
        ...(this.kind.labels ? { labels: { ...this.kind.labels } } : {}),
        ...(owner.uid ? { annotations: { [uidAnnotation]: owner.uid } } : {}),
      },
      spec: { parentRef: { group: '', resource: 'services', namespace: owner.namespace, name: owner.name } },
    };
    try {
      await this.storage.create(this.key(value), obj);
      return true;
    } catch (e) {
      if (e instanceof KeyExistsError) return false;
      throw e;
    }
  }

  async get(value: string): Promise<HeldClaim | undefined> {
    const got = await this.storage.get(this.key(value));
    return got ? held(value, got.object) : undefined;
  }

  /**
   * Frees `value` if `owner` holds it. The delete is conditional on the revision read, so a
   * claim someone else took in between is never removed. True when a claim was removed.
   */
  async release(value: string, owner: ClaimOwner): Promise<boolean> {
    const got = await this.storage.get(this.key(value));
    if (!got || !sameOwner(held(value, got.object).owner, owner)) return false;
    return this.remove(value, got.revision);
  }

  /** Frees `value` whoever holds it, if it is still at `revision` (repair's leak cleanup). */
  async remove(value: string, revision: number): Promise<boolean> {
    try {
      await this.storage.delete(this.key(value), revision);
      return true;
    } catch (e) {
      if (e instanceof RevisionMismatchError || e instanceof KeyNotFoundError) return false;
      throw e;
    }
  }

  /** Every claim of this kind, with the revision each was read at. */
  async list(): Promise<(HeldClaim & { revision: number })[]> {
    const out: (HeldClaim & { revision: number })[] = [];
    let fromKey: string | undefined;
    let atRevision: number | undefined;
    for (;;) {
      const page = await this.storage.list(this.kind.prefix, { limit: 1000, ...(fromKey ? { fromKey } : {}), ...(atRevision ? { atRevision } : {}) });
      atRevision = page.revision;
      for (const v of page.items) out.push({ ...held(v.key.slice(this.kind.prefix.length), v.object), revision: v.revision });
      if (!page.nextKey) return out;
      fromKey = page.nextKey;
    }
  }
}

function held(value: string, obj: KubeObject): HeldClaim {
  const spec = isObject(obj.spec) ? obj.spec : {};
  const ref = isObject(spec.parentRef) ? spec.parentRef : undefined;
  const uid = obj.metadata.annotations?.[uidAnnotation];
  const owner = ref && typeof ref.namespace === 'string' && typeof ref.name === 'string' ? { namespace: ref.namespace, name: ref.name, ...(uid ? { uid } : {}) } : undefined;
  const created = Date.parse(obj.metadata.creationTimestamp ?? '');
  return { value, owner, createdAt: Number.isNaN(created) ? 0 : created };
}
