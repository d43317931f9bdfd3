// The runtime's view of pods: sandboxes and containers grouped by the pod uid label the agent
// puts on them. `readRuntimePod` reads one pod fresh before a sync acts; `RuntimeRelister`
// (the kubelet's PLEG) relists everything periodically and reports the pods whose containers
// changed state, so exits are noticed without a watch on the runtime.

import type { Logger } from '../../common/logging.js';
import type { RuntimeService } from '../cri/services.js';
import type { ContainerStatus, PodSandboxStatus } from '../cri/types.js';
import { NotFoundError } from '../../common/errors.js';

export const runtimeLabels = {
  podUid: 'io.kubernetes.pod.uid',
  podName: 'io.kubernetes.pod.name',
  podNamespace: 'io.kubernetes.pod.namespace',
  containerName: 'io.kubernetes.container.name',
} as const;

export interface RuntimePod {
  uid: string;
  /** Oldest first. */
  sandboxes: PodSandboxStatus[];
  /** Oldest first. */
  containers: ContainerStatus[];
}

async function ignoreGone<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
}

export async function readRuntimePod(runtime: RuntimeService, uid: string): Promise<RuntimePod> {
  const selector = { [runtimeLabels.podUid]: uid };
  const [sandboxes, containers] = await Promise.all([runtime.listPodSandbox({ labelSelector: selector }), runtime.listContainers({ labelSelector: selector })]);
  const sandboxStatuses = (await Promise.all(sandboxes.map((s) => ignoreGone(runtime.podSandboxStatus(s.id))))).filter((s): s is PodSandboxStatus => s !== undefined);
  const containerStatuses = (await Promise.all(containers.map((c) => ignoreGone(runtime.containerStatus(c.id))))).filter((c): c is ContainerStatus => c !== undefined);
  return { uid, sandboxes: sandboxStatuses, containers: containerStatuses };
}

/** The pod uids that have anything in the runtime. */
export async function runtimePodUids(runtime: RuntimeService): Promise<Set<string>> {
  const [sandboxes, containers] = await Promise.all([runtime.listPodSandbox(), runtime.listContainers()]);
  const uids = new Set<string>();
  for (const o of [...sandboxes, ...containers]) {
    const uid = o.labels[runtimeLabels.podUid];
    if (uid) uids.add(uid);
  }
  return uids;
}

export class RuntimeRelister {
  private last = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly runtime: RuntimeService,
    private readonly periodMs: number,
    private readonly onChange: (uid: string) => void,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.relist(), this.periodMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One relist: reports every uid whose sandboxes or containers appeared, vanished or changed state. */
  async relist(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const [sandboxes, containers] = await Promise.all([this.runtime.listPodSandbox(), this.runtime.listContainers()]);
      const now = new Map<string, string>();
      for (const s of sandboxes) now.set(`s/${s.id}`, `${s.labels[runtimeLabels.podUid] ?? ''}|${s.state}`);
      for (const c of containers) now.set(`c/${c.id}`, `${c.labels[runtimeLabels.podUid] ?? ''}|${c.state}`);
      const changed = new Set<string>();
      for (const [k, v] of now) if (this.last.get(k) !== v) changed.add(v.split('|')[0]!);
      for (const [k, v] of this.last) if (!now.has(k)) changed.add(v.split('|')[0]!);
      this.last = now;
      for (const uid of changed) if (uid) this.onChange(uid);
    } catch (e) {
      this.logger.warn('runtime relist failed', { error: e instanceof Error ? e.message : String(e) });
    } finally {
      this.running = false;
    }
  }
}
