// Test support for the Deployment controller's integration tests: the real Deployment and
// ReplicaSet controllers under the real Manager against a real API server, a tiny in-test
// "kubelet" that marks pods Running and Ready (except pods whose image names them broken), a
// recorder of the pod watch stream, and the real kubectl run asynchronously (the controllers
// run in this process: a blocking spawn would stop them).

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiClient } from '../../common/client/apiClient.js';
import { Informer } from '../../common/client/informer.js';
import type { RestClient } from '../../common/client/restClient.js';
import { rfc3339 } from '../../common/clock.js';
import { Manager } from '../../common/controller/manager.js';
import { ApiEventRecorder } from '../../common/events/recorder.js';
import { silentLogger } from '../../common/logging.js';
import { ReplicaSetController } from '../replicaset/controller.js';
import { DeploymentController } from './controller.js';
import { podsResource, type Deployment, type Pod } from './types.js';

export interface RunningControllers {
  api: ApiClient;
  stop(): Promise<void>;
}

/** The Deployment and ReplicaSet controllers, as the controller manager runs them. */
export async function startControllers(client: RestClient): Promise<RunningControllers> {
  const logger = silentLogger();
  const api = new ApiClient({ client, qps: 0 });
  const manager = new Manager({ client, logger });
  const events = (component: string): ApiEventRecorder => new ApiEventRecorder({ api, component, instance: 'test' });
  manager.add(new ReplicaSetController({ api, events: events('replicaset-controller'), logger }).registration());
  manager.add(new DeploymentController({ api, events: events('deployment-controller'), logger }).registration());
  manager.start();
  await manager.started();
  return { api, stop: () => manager.stop() };
}

export interface FakeKubelet {
  stop(): Promise<void>;
}

/**
 * Marks every new pod Running, and Ready after `readyAfterMs`, unless one of its images
 * contains "broken" (such a pod runs but never becomes ready).
 */
export function startFakeKubelet(client: RestClient, api: ApiClient, readyAfterMs = 150): FakeKubelet {
  const informer = new Informer<Pod>({ client, path: '/api/v1/pods' });
  const timers = new Set<NodeJS.Timeout>();
  const handled = new Set<string>();
  const markReady = (pod: Pod): void => {
    const uid = pod.metadata.uid ?? '';
    if (handled.has(uid) || pod.metadata.deletionTimestamp) return;
    handled.add(uid);
    const containers = ((pod.spec as { containers?: { image?: string }[] } | undefined)?.containers ?? []);
    const broken = containers.some((c) => (c.image ?? '').includes('broken'));
    const t = setTimeout(() => {
      timers.delete(t);
      const now = rfc3339(Date.now());
      const status = { phase: 'Running', conditions: [{ type: 'Ready', status: broken ? 'False' : 'True', lastTransitionTime: now }] };
      api.patch(podsResource, pod.metadata.namespace, pod.metadata.name ?? '', 'merge', { status }, { subresource: 'status' }).catch(() => undefined);
    }, readyAfterMs);
    timers.add(t);
  };
  informer.addEventHandler({ onAdd: markReady, onUpdate: (_o, p) => markReady(p) });
  informer.start();
  return {
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      await informer.stop();
    },
  };
}

export interface PodSnapshot {
  /** Pods that exist and are not terminating, by the pod-template-hash label. */
  byHash: Map<string, { total: number; ready: number }>;
  total: number;
  ready: number;
}

/** Every state of a Deployment's pods, one after each watch event, in the order the API server sent them. */
export class PodStreamRecorder {
  readonly snapshots: PodSnapshot[] = [];
  private readonly informer: Informer<Pod>;

  constructor(client: RestClient, namespace: string, labelSelector: string) {
    this.informer = new Informer<Pod>({ client, path: `/api/v1/namespaces/${namespace}/pods`, labelSelector });
    const snap = (): void => {
      this.snapshots.push(this.snapshot());
    };
    // The initial list arrives one add at a time: its partial states never existed.
    this.informer.addEventHandler({ onAdd: (_p, initial) => !initial && snap(), onUpdate: snap, onDelete: snap });
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.waitForSync();
    this.snapshots.push(this.snapshot());
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  private snapshot(): PodSnapshot {
    const byHash = new Map<string, { total: number; ready: number }>();
    let total = 0;
    let ready = 0;
    for (const p of this.informer.store.list()) {
      if (p.metadata.deletionTimestamp) continue;
      const hash = p.metadata.labels?.['pod-template-hash'] ?? '';
      const isReady = ((p.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      const e = byHash.get(hash) ?? { total: 0, ready: 0 };
      e.total++;
      if (isReady) e.ready++;
      byHash.set(hash, e);
      total++;
      if (isReady) ready++;
    }
    return { byHash, total, ready };
  }
}

export const kubectlVersions = ['1.33', '1.27'] as const;

export interface Kubectl {
  (version: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  cleanup(): void;
}

/** The real kubectl of a given minor version, with its own discovery cache. */
export function kubectlFor(kubeconfig: string): Kubectl {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-kubectl-cache-'));
  const run = (version: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(`/usr/lib/google-cloud-sdk/bin/kubectl.${version}`, ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], { timeout: 120_000, encoding: 'utf8' }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  return Object.assign(run, { cleanup: () => fs.rmSync(cacheDir, { recursive: true, force: true }) });
}

/** A Deployment manifest for tests: one container `app` running `image`. */
export function deploymentManifest(name: string, image: string, spec: Partial<Deployment['spec']> = {}, annotations?: Record<string, string>): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
      ...spec,
    },
  };
}
