// Test fixtures: a Deployment -> ReplicaSet -> Pods chain created through the API with
// owner references set by hand (as the Deployment and ReplicaSet controllers would set them),
// and kubectl run as a user runs it.

import { execFile } from 'node:child_process';
import type { KubeObject } from '../../common/api/meta.js';
import { apiVersionOf } from '../../common/api/meta.js';
import type { Api } from '../../common/client/api.js';
import { controllerRef } from '../../common/api/ownerRefs.js';
import { makePod } from '../../common/testing/builders.js';
import { resourceOf } from './testObjects.js';

export const kubectlBinary = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';

/**
 * Runs kubectl without blocking the event loop: the controllers under test run in this
 * process, and kubectl may wait for them (`delete --cascade=orphan` waits for the deletion).
 */
export function kubectl(kubeconfig: string, ...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(kubectlBinary, ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ status: code, stdout, stderr });
    });
  });
}

function template(app: string): Record<string, unknown> {
  return { metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } };
}

export interface Workload {
  deployment: KubeObject;
  replicaSet: KubeObject;
  pods: KubeObject[];
}

/** A Deployment owning a ReplicaSet owning `pods` pods, in `namespace`. */
export async function createWorkload(api: Api, namespace: string, name: string, pods = 2, podFinalizers: string[] = []): Promise<Workload> {
  const dr = resourceOf('Deployment');
  const rr = resourceOf('ReplicaSet');
  const pr = resourceOf('Pod');
  const selector = { matchLabels: { app: name } };
  const deployment = await api.create(dr, namespace, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace }, spec: { replicas: pods, selector, template: template(name) } });
  const replicaSet = await api.create(rr, namespace, {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: `${name}-rs`, namespace, ownerReferences: [controllerRef(deployment, apiVersionOf(dr), dr.kind)] },
    spec: { replicas: pods, selector, template: template(name) },
  });
  const created: KubeObject[] = [];
  for (let i = 0; i < pods; i++) {
    const pod = makePod().name(`${name}-rs-${i}`).namespace(namespace).labels({ app: name }).image('busybox:1').obj() as unknown as KubeObject;
    delete pod.metadata.uid;
    delete pod.status;
    pod.metadata.ownerReferences = [controllerRef(replicaSet, apiVersionOf(rr), rr.kind)];
    if (podFinalizers.length) pod.metadata.finalizers = podFinalizers;
    created.push(await api.create(pr, namespace, pod));
  }
  return { deployment, replicaSet, pods: created };
}

/** Whether the object named like `obj` is gone, or was replaced by another uid. */
export async function gone(api: Api, obj: KubeObject): Promise<boolean> {
  const r = resourceOf(obj.kind ?? '');
  try {
    const now = await api.get(r, obj.metadata.namespace, obj.metadata.name ?? '');
    return now.metadata.uid !== obj.metadata.uid;
  } catch (e) {
    if (e instanceof Error && e.name === 'NotFoundError') return true;
    throw e;
  }
}
