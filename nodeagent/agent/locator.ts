// Finds the runtime container behind `namespace/pod/container` for the logs/exec server:
// the newest instance, or with `previous` the one before it (which must have exited).

import { NotFoundError, BadRequestError } from '../../common/errors.js';
import type { RuntimeService } from '../cri/services.js';
import type { ContainerLocator, LocatedContainer } from '../server/types.js';
import { instancesOf } from './podStatus.js';
import type { NodePodSource } from './podSource.js';
import { readRuntimePod } from './runtimePods.js';

export class RuntimeContainerLocator implements ContainerLocator {
  constructor(
    private readonly pods: NodePodSource,
    private readonly runtime: RuntimeService,
  ) {}

  async locate(namespace: string, podName: string, container: string, opts: { previous: boolean }): Promise<LocatedContainer> {
    const pod = this.pods.byName(namespace, podName);
    if (!pod) throw new NotFoundError({ resource: 'pods', name: podName });
    const rt = await readRuntimePod(this.runtime, pod.metadata.uid);
    const all = instancesOf(rt, container);
    const pick = opts.previous ? all[all.length - 2] : all[all.length - 1];
    if (!pick) {
      if (opts.previous) throw new BadRequestError(`previous terminated container "${container}" in pod "${podName}" not found`);
      throw new BadRequestError(`container "${container}" in pod "${podName}" is waiting to start: ContainerCreating`);
    }
    return { containerId: pick.id, logPath: pick.logPath, running: pick.state === 'CONTAINER_RUNNING' };
  }
}
