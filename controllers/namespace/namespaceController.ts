// The namespace controller: a namespace being deleted keeps the `kubernetes` finalizer in
// spec.finalizers (the API server holds it, phase Terminating) until this controller has
// deleted every object in it, waited for the ones that take time (pods whose node agent
// confirms their end, objects with finalizers), and then removed `kubernetes` through the
// namespaces/finalize subresource; the API server then removes the namespace. While it
// waits, the namespace's conditions say what remains.

import type { KubeObject } from '../../common/api/meta.js';
import { isObject } from '../../common/api/meta.js';
import { builtinResources, resourceFor, type ResourceDescriptor } from '../../common/api/resources.js';
import type { Api } from '../../common/client/api.js';
import type { Clock } from '../../common/clock.js';
import { rfc3339 } from '../../common/clock.js';
import type { ControllerRegistration, EventRecorder, InformerSource, ObjectKey, Reconciler, ReconcileResult } from '../../common/controller/types.js';
import { ConflictError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import { conditionsChanged, conditionsFor, emptyReport, mergeConditions, type ContentReport, type NamespaceCondition } from './conditions.js';

export const namespaceControllerName = 'namespace';
export const kubernetesFinalizer = 'kubernetes';

export const namespacesResource: ResourceDescriptor = resourceFor('Namespace', '');
const podsResource: ResourceDescriptor = resourceFor('Pod', '');

export interface NamespaceControllerConfig {
  workers: number;
  /**
   * How soon to look again while content remains and nothing says how long it will take
   * (objects held by finalizers); doubles with each look that finds content, up to maxRecheckMs.
   */
  recheckMs: number;
  /** The longest wait between looks, whatever the content's grace periods say. */
  maxRecheckMs: number;
}

export const namespaceControllerDefaults: NamespaceControllerConfig = { workers: 2, recheckMs: 1_000, maxRecheckMs: 15_000 };

/** Removes `kubernetes` from a namespace's spec.finalizers: PUT namespaces/{name}/finalize. */
export type NamespaceFinalizer = (namespace: KubeObject, finalizers: string[]) => Promise<void>;

export interface NamespaceControllerDeps {
  api: Api;
  recorder: EventRecorder;
  clock: Clock;
  logger: Logger;
  config?: Partial<NamespaceControllerConfig>;
  /** Default: PUT namespaces/{name}/finalize through `api` (apiFinalizer). */
  finalize?: NamespaceFinalizer;
  /** The namespaced kinds to empty; default every built-in one. */
  resources?: readonly ResourceDescriptor[];
}

/**
 * PUT namespaces/{name}/finalize with the namespace and its reduced spec.finalizers, through
 * the process's (leader-fenced) Api like every other write. Only this subresource changes
 * spec.finalizers: a PUT of the namespace itself keeps them, as in Kubernetes.
 */
export function apiFinalizer(api: Api): NamespaceFinalizer {
  return async (ns, finalizers) => {
    const body: KubeObject = { ...ns, apiVersion: 'v1', kind: 'Namespace', spec: { ...(isObject(ns.spec) ? ns.spec : {}), finalizers } };
    await api.updateSubresource(namespacesResource, body, 'finalize');
  };
}

export function deletableNamespacedResources(all: readonly ResourceDescriptor[] = builtinResources): ResourceDescriptor[] {
  return all.filter((r) => r.namespaced && (!r.verbs || (r.verbs.includes('list') && r.verbs.includes('delete'))));
}

function specFinalizers(ns: KubeObject): string[] {
  const spec = isObject(ns.spec) ? ns.spec : {};
  return Array.isArray(spec.finalizers) ? spec.finalizers.filter((f): f is string => typeof f === 'string') : [];
}

function statusOf(ns: KubeObject): { phase?: string; conditions?: NamespaceCondition[] } {
  return isObject(ns.status) ? (ns.status as { phase?: string; conditions?: NamespaceCondition[] }) : {};
}

function resourceLabel(r: ResourceDescriptor): string {
  return `${r.plural}.${r.group}`;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class NamespaceController implements Reconciler {
  readonly config: NamespaceControllerConfig;
  private readonly logger: Logger;
  private readonly finalize: NamespaceFinalizer;
  private readonly resources: readonly ResourceDescriptor[];
  /** Looks at each terminating namespace that found content still there, for the back-off. */
  private readonly looks = new Map<string, number>();

  constructor(private readonly deps: NamespaceControllerDeps) {
    this.config = { ...namespaceControllerDefaults, ...deps.config };
    this.logger = deps.logger.child({ controller: namespaceControllerName });
    this.resources = deps.resources ?? deletableNamespacedResources();
    this.finalize = deps.finalize ?? apiFinalizer(deps.api);
  }

  watch(source: InformerSource, enqueue: (key: ObjectKey) => void): void {
    const namespaces = source.informer<KubeObject>(namespacesResource);
    const add = (ns: KubeObject): void => {
      if (ns.metadata.deletionTimestamp) enqueue({ name: ns.metadata.name ?? '' });
    };
    namespaces.addEventHandler({ onAdd: add, onUpdate: (_o, ns) => add(ns) });
    // Pods are what a terminating namespace usually waits for (their node agents stop them
    // within their grace periods): look again as soon as one is gone rather than at the next
    // scheduled look.
    const pods = source.informer<KubeObject>(podsResource);
    pods.addEventHandler({
      onDelete: (pod) => {
        const ns = namespaces.store.get(pod.metadata.namespace ?? '');
        if (ns) add(ns);
      },
    });
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    const log = this.logger.child({ key: key.name });
    let ns: KubeObject;
    try {
      // A live read: acting on a stale copy could empty a namespace that was never deleted.
      ns = await this.deps.api.get(namespacesResource, undefined, key.name);
    } catch (e) {
      if (e instanceof NotFoundError) {
        this.looks.delete(key.name);
        return;
      }
      throw e;
    }
    const finalizers = specFinalizers(ns);
    if (!ns.metadata.deletionTimestamp || !finalizers.includes(kubernetesFinalizer)) {
      this.looks.delete(key.name);
      return;
    }

    const { report, waitMs } = await this.deleteContent(key.name);
    ns = await this.writeConditions(ns, report, log);
    const done = report.discoveryFailures.length === 0 && report.deletionFailures.length === 0 && report.remaining.size === 0;
    if (!done) {
      const looks = (this.looks.get(key.name) ?? 0) + 1;
      this.looks.set(key.name, looks);
      log.debug('content remains', { remaining: Object.fromEntries(report.remaining), looks });
      const backoff = this.config.recheckMs * 2 ** Math.min(looks - 1, 20);
      return { requeueAfterMs: Math.min(Math.max(waitMs, backoff), this.config.maxRecheckMs) };
    }
    this.looks.delete(key.name);
    try {
      await this.finalize(ns, finalizers.filter((f) => f !== kubernetesFinalizer));
    } catch (e) {
      if (e instanceof NotFoundError) return;
      throw e;
    }
    log.info('namespace emptied and finalized');
  }

  /**
   * Deletes every object of every namespaced kind, then counts what is left. `waitMs` is
   * the longest grace period still running (pods being stopped by their node agents).
   */
  private async deleteContent(namespace: string): Promise<{ report: ContentReport; waitMs: number }> {
    const report = emptyReport();
    const now = this.deps.clock.now();
    let waitMs = 0;
    for (const r of this.resources) {
      let items: KubeObject[];
      try {
        items = (await this.deps.api.list(r, namespace)).items;
      } catch (e) {
        report.discoveryFailures.push(`${resourceLabel(r)}: ${message(e)}`);
        continue;
      }
      let left = 0;
      for (const item of items) {
        const name = item.metadata.name ?? '';
        let after: KubeObject | undefined = item;
        if (!item.metadata.deletionTimestamp) {
          try {
            after = await this.deps.api.delete(r, namespace, name, { propagationPolicy: 'Background', preconditions: { uid: item.metadata.uid ?? '' } });
          } catch (e) {
            // Gone, or replaced meanwhile (the next pass sees the new one).
            if (e instanceof NotFoundError) after = undefined;
            else if (!(e instanceof ConflictError)) report.deletionFailures.push(`${r.plural}/${name}: ${message(e)}`);
          }
        }
        // The server answers a removed object without a deletionTimestamp (or with a Status);
        // one it keeps (finalizers, grace period) with it. Failed deletions keep `item`.
        if (!after || (after !== item && !after.metadata.deletionTimestamp)) continue;
        left++;
        for (const f of after.metadata.finalizers ?? []) report.finalizers.set(f, (report.finalizers.get(f) ?? 0) + 1);
        const until = Date.parse(after.metadata.deletionTimestamp ?? '');
        if (Number.isFinite(until)) waitMs = Math.max(waitMs, until - now);
      }
      if (left) report.remaining.set(resourceLabel(r), left);
    }
    return { report, waitMs };
  }

  private async writeConditions(ns: KubeObject, report: ContentReport, log: Logger): Promise<KubeObject> {
    const status = statusOf(ns);
    const old = status.conditions ?? [];
    const next = mergeConditions(old, conditionsFor(report), rfc3339(this.deps.clock.now()));
    if (!conditionsChanged(old, next) && status.phase === 'Terminating') return ns;
    try {
      return await this.deps.api.updateStatus(namespacesResource, { ...ns, status: { ...status, phase: 'Terminating', conditions: next } });
    } catch (e) {
      // The conditions are advice; a conflict is fixed by the next pass.
      if (e instanceof ConflictError || e instanceof NotFoundError) {
        log.debug('could not write the namespace conditions', { error: message(e) });
        return ns;
      }
      throw e;
    }
  }
}

export function namespaceController(deps: NamespaceControllerDeps): ControllerRegistration {
  const c = new NamespaceController(deps);
  return { name: namespaceControllerName, reconciler: c, workers: c.config.workers, watch: (source, enqueue) => c.watch(source, enqueue) };
}
