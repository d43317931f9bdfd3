// One informer over every pod, split into per-node views, so thousands of hollow nodes in one
// process cost one list and one watch instead of one each. Each view is a NodePodSource that
// sees only the pods bound to its node; an event is routed by the pod's spec.nodeName (before
// and after the change) to at most two views through a map, never by asking every node.

import { Informer, type IndexedStore, type InformerEventHandler } from '../../common/client/informer.js';
import type { RestClient } from '../../common/client/restClient.js';
import type { Logger } from '../../common/logging.js';
import type { NodePodSource } from '../agent/podSource.js';
import type { Pod } from '../agent/podTypes.js';

/** What the split needs of an informer: the real one, or a fake fed by a test. */
export interface PodInformerLike {
  readonly store: IndexedStore<Pod>;
  addEventHandler(h: InformerEventHandler<Pod>): () => void;
  waitForSync(): Promise<void>;
  hasSynced(): boolean;
}

/** The indexes the views read through; a store given to SharedPodSource must have both. */
export const podIndexers = {
  // Pending pods are not indexed: no node asks for them, and there may be many.
  nodeName: (p: Pod): string[] => (p.spec.nodeName ? [p.spec.nodeName] : []),
  uid: (p: Pod): string[] => [p.metadata.uid],
};

/** An informer over all pods with the indexes SharedPodSource needs. */
export function allPodsInformer(client: RestClient, logger: Logger, pageSize = 500): Informer<Pod> {
  return new Informer<Pod>({ client, path: '/api/v1/pods', logger, indexers: podIndexers, pageSize });
}

class NodePodView implements NodePodSource {
  private readonly subscribers: ((uid: string) => void)[] = [];

  constructor(
    readonly nodeName: string,
    private readonly informer: PodInformerLike,
  ) {}

  private mine(p: Pod | undefined): Pod | undefined {
    return p && p.spec.nodeName === this.nodeName ? p : undefined;
  }

  byUid(uid: string): Pod | undefined {
    return this.mine(this.informer.store.byIndex('uid', uid)[0]);
  }
  byName(namespace: string, name: string): Pod | undefined {
    return this.mine(this.informer.store.get(`${namespace}/${name}`));
  }
  uids(): string[] {
    return this.informer.store.byIndex('nodeName', this.nodeName).map((p) => p.metadata.uid);
  }
  /**
   * Like an informer's handler registration: a subscriber that arrives after the first list
   * hears about every pod already here, so an agent that subscribes late misses nothing.
   */
  subscribe(fn: (uid: string) => void): void {
    this.subscribers.push(fn);
    if (this.informer.hasSynced()) for (const uid of this.uids()) fn(uid);
  }
  waitForSync(): Promise<void> {
    return this.informer.waitForSync();
  }
  hasSynced(): boolean {
    return this.informer.hasSynced();
  }

  notify(uid: string): void {
    for (const fn of this.subscribers) fn(uid);
  }
}

export class SharedPodSource {
  private readonly views = new Map<string, NodePodView>();
  private readonly removeHandler: () => void;

  constructor(private readonly informer: PodInformerLike) {
    this.removeHandler = informer.addEventHandler({
      onAdd: (p) => this.route(p.spec.nodeName, p.metadata.uid),
      onUpdate: (old, p) => {
        this.route(p.spec.nodeName, p.metadata.uid);
        // A pod that left a node (or a replaced object of the same name) must be heard there too.
        if (old.spec.nodeName !== p.spec.nodeName) this.route(old.spec.nodeName, old.metadata.uid);
        else if (old.metadata.uid !== p.metadata.uid) this.route(old.spec.nodeName, old.metadata.uid);
      },
      onDelete: (p) => this.route(p.spec.nodeName, p.metadata.uid),
    });
  }

  private route(nodeName: string | undefined, uid: string): void {
    if (nodeName) this.views.get(nodeName)?.notify(uid);
  }

  /** The view of one node's pods (the same object for the same name). */
  forNode(nodeName: string): NodePodSource {
    let v = this.views.get(nodeName);
    if (!v) this.views.set(nodeName, (v = new NodePodView(nodeName, this.informer)));
    return v;
  }

  /** Forgets a node's view: its subscribers hear nothing more. */
  release(nodeName: string): void {
    this.views.delete(nodeName);
  }

  /** Detaches from the informer (which the caller owns and stops). */
  close(): void {
    this.removeHandler();
    this.views.clear();
  }
}
