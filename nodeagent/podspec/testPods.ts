// Test fixtures: pods as the API server would hand them to the agent, saying only what a
// test needs: `testPod({ containers: [testContainer('app', { env: [...] })] })`.

import type { V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../../common/api/meta.js';
import { asPod, type Container, type Pod, type PodSpec, type PodStatus } from './types.js';

export function testContainer(name = 'app', extra: Partial<Container> = {}): Container {
  return { name, image: 'busybox:1', ...extra };
}

export interface TestPodOptions extends Partial<PodSpec> {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  status?: PodStatus;
}

export function testPod(o: TestPodOptions = {}): Pod {
  const { name = 'web', namespace = 'default', uid = 'uid-1', labels, annotations, status, ...spec } = o;
  return asPod({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
    spec: { nodeName: 'node-1', serviceAccountName: 'default', ...spec, containers: spec.containers ?? [testContainer()] },
    ...(status ? { status } : {}),
  });
}

/** A pod from common/testing/builders (typed with client-node's models) as this folder reads it. */
export function fromV1(pod: V1Pod): Pod {
  return asPod(pod as unknown as KubeObject);
}
