// Which container a log or exec request means: the one named, else the pod's default
// (annotation kubectl.kubernetes.io/default-container), else its only container.

import type { KubeObject } from '../../common/api/meta.js';
import { isObject } from '../../common/api/meta.js';
import { BadRequestError } from '../../common/errors.js';

export const defaultContainerAnnotation = 'kubectl.kubernetes.io/default-container';

function names(pod: KubeObject, field: string): string[] {
  const spec = isObject(pod.spec) ? pod.spec : {};
  const list = spec[field];
  return (Array.isArray(list) ? list : []).filter(isObject).map((c) => c.name).filter((n): n is string => typeof n === 'string');
}

export function chooseContainer(pod: KubeObject, requested: string | null): string {
  const podName = pod.metadata.name ?? '';
  const containers = names(pod, 'containers');
  const all = [...containers, ...names(pod, 'initContainers'), ...names(pod, 'ephemeralContainers')];
  if (requested) {
    if (!all.includes(requested)) throw new BadRequestError(`container ${requested} is not valid for pod ${podName}`);
    return requested;
  }
  const annotated = pod.metadata.annotations?.[defaultContainerAnnotation];
  if (annotated && all.includes(annotated)) return annotated;
  if (containers.length === 1) return containers[0]!;
  if (containers.length === 0) throw new BadRequestError(`a container name must be specified for pod ${podName}`);
  throw new BadRequestError(`a container name must be specified for pod ${podName}, choose one of: [${all.join(' ')}]`);
}
