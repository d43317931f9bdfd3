// The pod sandbox behind /portForward/{namespace}/{pod}[/{uid}]: the ready sandbox carrying the
// agent's pod labels (the uid when the API server sent one, else namespace and name).

import { BadRequestError, NotFoundError } from '../../common/errors.js';
import { runtimeLabels } from '../agent/runtimePods.js';
import type { RuntimeService } from '../cri/services.js';

export async function readySandboxOf(runtime: RuntimeService, namespace: string, pod: string, uid?: string): Promise<string> {
  const labelSelector: Record<string, string> = uid ? { [runtimeLabels.podUid]: uid } : { [runtimeLabels.podNamespace]: namespace, [runtimeLabels.podName]: pod };
  const all = await runtime.listPodSandbox({ labelSelector });
  if (all.length === 0) throw new NotFoundError({ resource: 'pods', name: pod });
  const ready = all.filter((s) => s.state === 'SANDBOX_READY').sort((a, b) => b.createdAt - a.createdAt);
  if (!ready[0]) throw new BadRequestError(`pod "${namespace}/${pod}" has no running sandbox to forward ports into`);
  return ready[0].id;
}
