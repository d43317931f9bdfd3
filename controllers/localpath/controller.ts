// The local-path provisioner: makes the PersistentVolume of a claim the binder handed to
// `gantry.dev/local-path` (plan.ts), pre-bound to it, and leaves the binding to the binder.
// It never touches a disk: the node agent makes the directory when a pod mounts the volume and
// removes it (then the cleanup finalizer) once the volume is deleted.

import type { Api } from '../../common/client/api.js';
import type { Informer } from '../../common/client/informer.js';
import { NotLeaderError } from '../../common/controller/fencedApi.js';
import { keyString, type ControllerRegistration, type EventRecorder, type InformerSource, type ObjectKey, type Reconciler, type ReconcileResult } from '../../common/controller/types.js';
import { AlreadyExistsError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import { claimClass } from '../persistentvolume/matching.js';
import { annSelectedNode, reasons } from '../persistentvolume/names.js';
import { nodesResource, persistentVolumeClaimsResource, persistentVolumesResource, storageClassesResource } from '../persistentvolume/resources.js';
import type { Node, PersistentVolume, PersistentVolumeClaim, StorageClass } from '../persistentvolume/types.js';
import { localPathRootAnnotation } from './names.js';
import { chooseNode, volumeFor, volumeNameFor, wantsProvisioning } from './plan.js';

export const localPathControllerName = 'localpath-provisioner';

export interface LocalPathOptions {
  api: Api;
  events: EventRecorder;
  logger: Logger;
  workers?: number;
  /** How soon a claim whose node cannot take it yet is looked at again (node events also requeue it). */
  retryAfterMs?: number;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class LocalPathProvisioner implements Reconciler {
  private claims: Informer<PersistentVolumeClaim> | undefined;
  private volumes: Informer<PersistentVolume> | undefined;
  private classes: Informer<StorageClass> | undefined;
  private nodes: Informer<Node> | undefined;
  private readonly logger: Logger;
  private readonly retryAfterMs: number;

  constructor(private readonly opts: LocalPathOptions) {
    this.logger = opts.logger.child({ controller: localPathControllerName });
    this.retryAfterMs = opts.retryAfterMs ?? 10_000;
  }

  registration(): ControllerRegistration {
    return { name: localPathControllerName, reconciler: this, workers: this.opts.workers ?? 2, watch: (s, e) => this.watch(s, e) };
  }

  watch(source: InformerSource, enqueue: (key: ObjectKey) => void): void {
    const claims = (this.claims = source.informer<PersistentVolumeClaim>(persistentVolumeClaimsResource));
    this.volumes = source.informer<PersistentVolume>(persistentVolumesResource);
    const classes = (this.classes = source.informer<StorageClass>(storageClassesResource));
    this.nodes = source.informer<Node>(nodesResource);
    const claimKey = (c: PersistentVolumeClaim): ObjectKey => ({ namespace: c.metadata.namespace ?? '', name: c.metadata.name ?? '' });
    const waiting = (pred: (c: PersistentVolumeClaim) => boolean): void => {
      for (const c of claims.store.list()) if (!c.spec?.volumeName && pred(c)) enqueue(claimKey(c));
    };
    claims.addEventHandler({ onAdd: (c) => enqueue(claimKey(c)), onUpdate: (_o, c) => enqueue(claimKey(c)), onDelete: () => undefined });
    const onClass = (sc: StorageClass): void => waiting((c) => claimClass(c) === sc.metadata.name);
    classes.addEventHandler({ onAdd: onClass, onUpdate: (_o, sc) => onClass(sc), onDelete: () => undefined });
    // A node that gets its root (its agent started) or becomes Ready may take waiting claims.
    const onNode = (n: Node): void => waiting((c) => c.metadata.annotations?.[annSelectedNode] === undefined || c.metadata.annotations[annSelectedNode] === n.metadata.name);
    this.nodes.addEventHandler({
      onAdd: onNode,
      onUpdate: (old, n) => {
        const root = (x: Node): string | undefined => x.metadata.annotations?.[localPathRootAnnotation];
        const ready = (x: Node): string => JSON.stringify((x as { status?: { conditions?: unknown } }).status?.conditions ?? []);
        if (root(old) !== root(n) || ready(old) !== ready(n)) onNode(n);
      },
      onDelete: () => undefined,
    });
  }

  private async nodeGone(name: string): Promise<boolean> {
    try {
      await this.opts.api.get(nodesResource, undefined, name);
      return false;
    } catch (e) {
      if (e instanceof NotFoundError) return true;
      throw e;
    }
  }

  /** Hands the node choice back to the scheduler (its resourceVersion guards against a newer choice). */
  private async reschedule(claim: PersistentVolumeClaim): Promise<void> {
    const annotations = { ...(claim.metadata.annotations ?? {}) };
    const node = annotations[annSelectedNode];
    delete annotations[annSelectedNode];
    await this.opts.api.update(persistentVolumeClaimsResource, { ...claim, metadata: { ...claim.metadata, annotations } });
    this.logger.info('the selected node is gone: claim handed back to the scheduler', { claim: `${claim.metadata.namespace ?? ''}/${claim.metadata.name ?? ''}`, node });
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    if (!this.claims || !this.volumes || !this.classes || !this.nodes) throw new Error('the local-path provisioner reconciled before watch() wired its informers');
    const claim = this.claims.store.get(keyString(key));
    if (!claim) return;
    const sc = this.classes.store.get(claimClass(claim));
    if (!sc || !wantsProvisioning(claim, sc)) return;
    const name = volumeNameFor(claim);
    if (this.volumes.store.get(name)) return;

    const choice = chooseNode(claim, sc, this.nodes.store.list(), this.volumes.store.list());
    if (choice.kind === 'wait') return;
    if (choice.kind === 'failed') {
      this.opts.events.event(claim, choice.event.type, choice.event.reason, choice.event.message);
      if (choice.missingNode !== undefined && (await this.nodeGone(choice.missingNode))) {
        await this.reschedule(claim);
        return;
      }
      return { requeueAfterMs: this.retryAfterMs };
    }
    const plan = volumeFor(claim, sc, choice.node);
    if (plan.kind === 'failed') {
      this.opts.events.event(claim, plan.event.type, plan.event.reason, plan.event.message);
      return plan.retry ? { requeueAfterMs: this.retryAfterMs } : undefined;
    }
    const k = keyString(key);
    this.opts.events.event(claim, 'Normal', reasons.provisioning, `External provisioner is provisioning volume for claim "${k}"`);
    try {
      await this.opts.api.create<PersistentVolume>(persistentVolumesResource, undefined, plan.volume);
    } catch (e) {
      // Made by an earlier sync the cache has not shown yet: the claim's uid names it.
      if (e instanceof AlreadyExistsError) return;
      if (!(e instanceof NotLeaderError)) this.opts.events.event(claim, 'Warning', reasons.provisioningFailed, `failed to provision volume: ${message(e)}`);
      throw e;
    }
    this.logger.info('provisioned local-path volume', { claim: k, volume: name, node: choice.node.metadata.name, path: plan.volume.spec?.local?.path });
    this.opts.events.event(claim, 'Normal', reasons.provisioningSucceeded, `Successfully provisioned volume ${name}`);
  }
}
