// Test helpers for the node controllers' unit tests: caches without a server. A World is an
// InformerSource of never-started informers whose stores a test fills, and whose handlers it
// can call as a watch event would.

import type { KubeObject } from '../../common/api/meta.js';
import type { ResourceDescriptor } from '../../common/api/resources.js';
import { Informer, objectKey, type InformedObject, type InformerEventHandler } from '../../common/client/informer.js';
import type { RestClient } from '../../common/client/restClient.js';
import type { InformerSource } from '../../common/controller/types.js';

/** A never-started informer whose handlers a test can call, as a watch event would. */
export class TestInformer extends Informer<InformedObject> {
  readonly added: InformerEventHandler<InformedObject>[] = [];
  override addEventHandler(h: InformerEventHandler<InformedObject>): () => void {
    this.added.push(h);
    return super.addEventHandler(h);
  }
}

export class World implements InformerSource {
  readonly informers = new Map<string, TestInformer>();
  informer<T extends InformedObject = KubeObject>(r: ResourceDescriptor): Informer<T> {
    let inf = this.informers.get(r.plural);
    if (!inf) this.informers.set(r.plural, (inf = new TestInformer({ client: undefined as unknown as RestClient, path: r.plural })));
    return inf as unknown as Informer<T>;
  }
  /** Stores `obj` and tells the handlers it was added. */
  add(plural: string, obj: KubeObject): void {
    this.put(plural, obj);
    for (const h of this.informers.get(plural)?.added ?? []) h.onAdd?.(obj, false);
  }
  put(plural: string, obj: KubeObject): void {
    this.informer({ plural } as ResourceDescriptor).store.set(objectKey(obj), structuredClone(obj));
  }
  get<T extends KubeObject>(plural: string, key: string): T | undefined {
    return this.informer({ plural } as ResourceDescriptor).store.get(key) as T | undefined;
  }
}
