// The pods bound to one node, as the agent sees them. One agent watches with a field selector
// (spec.nodeName=<node>); hollow nodes share one informer over all pods and split it by node.
// Either way the agent reads through this interface.

import { Informer } from '../../common/client/informer.js';
import type { RestClient } from '../../common/client/restClient.js';
import type { Logger } from '../../common/logging.js';
import type { Pod } from './podTypes.js';

export interface NodePodSource {
  byUid(uid: string): Pod | undefined;
  byName(namespace: string, name: string): Pod | undefined;
  uids(): string[];
  /** Calls `fn` with the uid of every pod added, changed or deleted. */
  subscribe(fn: (uid: string) => void): void;
  waitForSync(): Promise<void>;
  hasSynced(): boolean;
}

/** A NodePodSource over an informer whose every object belongs to the node. */
export class InformerPodSource implements NodePodSource {
  private readonly subscribers: ((uid: string) => void)[] = [];

  constructor(private readonly informer: Informer<Pod>) {
    informer.addEventHandler({
      onAdd: (p) => this.emit(p),
      onUpdate: (_o, p) => this.emit(p),
      onDelete: (p) => this.emit(p),
    });
  }

  static forNode(client: RestClient, nodeName: string, logger: Logger): { source: InformerPodSource; informer: Informer<Pod> } {
    const informer = new Informer<Pod>({
      client,
      path: '/api/v1/pods',
      fieldSelector: `spec.nodeName=${nodeName}`,
      logger,
      indexers: { uid: (p) => [p.metadata.uid] },
    });
    return { source: new InformerPodSource(informer), informer };
  }

  private emit(p: Pod): void {
    for (const fn of this.subscribers) fn(p.metadata.uid);
  }

  byUid(uid: string): Pod | undefined {
    return this.informer.store.byIndex('uid', uid)[0];
  }
  byName(namespace: string, name: string): Pod | undefined {
    return this.informer.store.get(`${namespace}/${name}`);
  }
  uids(): string[] {
    return this.informer.store.list().map((p) => p.metadata.uid);
  }
  subscribe(fn: (uid: string) => void): void {
    this.subscribers.push(fn);
  }
  waitForSync(): Promise<void> {
    return this.informer.waitForSync();
  }
  hasSynced(): boolean {
    return this.informer.hasSynced();
  }
}
