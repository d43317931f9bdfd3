// The disruption controller: keeps every PodDisruptionBudget's status (budget.ts) current
// from the pods its selector selects and the scale of their controllers, found through the
// owner chain (a ReplicaSet, or the Deployment that owns it). The eviction subresource
// spends the disruptionsAllowed written here.

import { isDeepStrictEqual } from 'node:util';
import { resourceFor } from '../../common/api/resources.js';
import type { KubeObject } from '../../common/api/meta.js';
import { isObject } from '../../common/api/meta.js';
import { controllerOf } from '../../common/api/ownerRefs.js';
import type { Informer } from '../../common/client/informer.js';
import { ControllerBase, type ControllerDeps } from '../../common/controller/base.js';
import { enqueueObject } from '../../common/controller/handlers.js';
import { keyOf, keyString, type InformerSource, type ObjectKey, type ReconcileResult } from '../../common/controller/types.js';
import { NotFoundError } from '../../common/errors.js';
import { labelSelectorFromObject } from '../../common/selectors/labels.js';
import { budgetStatus, failSafeStatus } from './budget.js';

export const disruptionControllerName = 'disruption';
export const podDisruptionBudgetsResource = resourceFor('PodDisruptionBudget', 'policy');
const podsResource = resourceFor('Pod', '');
const replicaSetsResource = resourceFor('ReplicaSet', 'apps');
const deploymentsResource = resourceFor('Deployment', 'apps');

export type DisruptionControllerOptions = ControllerDeps;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (isObject(v) ? v : {});
const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

export class DisruptionController extends ControllerBase {
  private pdbs: Informer<KubeObject> | undefined;
  private pods: Informer<KubeObject> | undefined;
  private replicaSets: Informer<KubeObject> | undefined;
  private deployments: Informer<KubeObject> | undefined;

  constructor(opts: DisruptionControllerOptions) {
    super({ name: disruptionControllerName, defaultWorkers: 2 }, opts);
  }

  watch(source: InformerSource, enqueue: (key: ObjectKey) => void): void {
    const pdbs = (this.pdbs = source.informer<KubeObject>(podDisruptionBudgetsResource));
    const pods = (this.pods = source.informer<KubeObject>(podsResource));
    const replicaSets = (this.replicaSets = source.informer<KubeObject>(replicaSetsResource));
    const deployments = (this.deployments = source.informer<KubeObject>(deploymentsResource));
    const enqueuePdb = (pdb: KubeObject): void => enqueue(keyOf(pdb));
    pdbs.addEventHandler(enqueueObject(enqueue));
    // A pod, or a scale that changed, touches the budgets of its namespace: few per namespace, so all of them.
    const inNamespace = (o: KubeObject): void => {
      for (const pdb of pdbs.store.list()) if (pdb.metadata.namespace === o.metadata.namespace) enqueuePdb(pdb);
    };
    pods.addEventHandler({ onAdd: inNamespace, onUpdate: (_o, p) => inNamespace(p), onDelete: inNamespace });
    for (const inf of [replicaSets, deployments]) {
      inf.addEventHandler({ onAdd: inNamespace, onUpdate: (o, n) => !isDeepStrictEqual(obj(o.spec).replicas, obj(n.spec).replicas) && inNamespace(n), onDelete: inNamespace });
    }
  }

  /** The pods' controllers' scale, summed once per controller (upstream getExpectedScale); pods without a controller count for nothing. */
  private expectedScale(pods: KubeObject[]): number {
    const scales = new Map<string, number>();
    for (const pod of pods) {
      const ref = controllerOf(pod);
      if (!ref) continue;
      const ns = pod.metadata.namespace ?? '';
      let found: { uid: string; replicas: number } | undefined;
      if (ref.kind === 'ReplicaSet' && groupOf(ref.apiVersion) === 'apps') {
        const rs = this.replicaSets!.store.get(`${ns}/${ref.name}`);
        if (rs && rs.metadata.uid === ref.uid) {
          const owner = controllerOf(rs);
          const deployment = owner && owner.kind === 'Deployment' ? this.deployments!.store.get(`${ns}/${owner.name}`) : undefined;
          const scaled = deployment && deployment.metadata.uid === owner!.uid ? deployment : rs;
          found = { uid: scaled.metadata.uid ?? '', replicas: Number(obj(scaled.spec).replicas ?? 1) };
        }
      }
      if (!found) throw new Error(`found no controllers for pod "${pod.metadata.name ?? ''}"`);
      scales.set(found.uid, found.replicas);
    }
    let sum = 0;
    for (const n of scales.values()) sum += n;
    return sum;
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    if (!this.pdbs || !this.pods) throw new Error('the disruption controller reconciled before watch() wired its informers');
    const pdb = this.pdbs.store.get(keyString(key));
    if (!pdb) return;
    const now = this.clock.now();
    const sel = obj(pdb.spec).selector;
    let next: Obj;
    let recheckAt: number | undefined;
    try {
      const selector = isObject(sel) ? labelSelectorFromObject(sel as Parameters<typeof labelSelectorFromObject>[0]) : undefined;
      const pods = selector ? this.pods.store.list().filter((p) => p.metadata.namespace === key.namespace && selector.matches(p.metadata.labels ?? {})) : [];
      const out = budgetStatus({ pdb, pods, expectedScale: () => this.expectedScale(pods), now });
      next = out.status;
      recheckAt = out.recheckAt;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.logger.warn('cannot compute the disruption budget', { key: keyString(key), error: message });
      this.events.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${message}`);
      next = failSafeStatus(pdb, message, now);
    }
    if (!isDeepStrictEqual(next, pdb.status ?? {})) {
      try {
        await this.api.updateStatus(podDisruptionBudgetsResource, { ...pdb, status: next });
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e;
      }
    }
    return recheckAt !== undefined ? { requeueAfterMs: Math.max(0, recheckAt - now) } : undefined;
  }
}
