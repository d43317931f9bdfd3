import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../common/config.js';
import { loadControllerManagerConfig, type ControllerManagerConfig } from './config.js';

describe('controller manager config', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-cm-config-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };

  const cases: { name: string; argv: () => string[]; env?: Record<string, string>; want?: Partial<ControllerManagerConfig>; error?: RegExp }[] = [
    {
      name: 'defaults: every controller, leader election on the kube-controller-manager Lease',
      argv: () => ['--kubeconfig', '/k'],
      want: { kubeconfig: '/k', controllers: ['*'], leaderElect: true, leaseNamespace: 'kube-system', leaseName: 'kube-controller-manager', controllerOptions: {} },
    },
    { name: 'controllers from a flag', argv: () => ['--kubeconfig', '/k', '--controllers', '*,-replicaset'], want: { controllers: ['*', '-replicaset'] } },
    { name: 'environment', argv: () => ['--kubeconfig', '/k'], env: { GANTRY_CONTROLLERS_KUBE_API_QPS: '7', GANTRY_CONTROLLERS_LEADER_ELECT: 'false' }, want: { kubeApiQps: 7, leaderElect: false } },
    {
      name: 'per-controller options from the file',
      argv: () => ['--kubeconfig', '/k', '--config', file('opts.yaml', 'controllerOptions:\n  replicaset:\n    workers: 3\nmetricsPort: -1\n')],
      want: { controllerOptions: { replicaset: { workers: 3 } }, metricsPort: -1 },
    },
    {
      name: 'the example file loads',
      argv: () => ['--config', path.join(path.dirname(fileURLToPath(import.meta.url)), 'config.example.yaml')],
      want: { kubeconfig: '/root/.gantry/controller-manager/kubeconfig', controllers: ['*'], controllerOptions: { replicaset: { workers: 5, burstReplicas: 500 }, daemonset: { workers: 2 }, statefulset: { workers: 5 }, job: { workers: 5, syncBatchPeriodMs: 0 }, cronjob: { workers: 5 }, ttlafterfinished: { workers: 5 }, disruption: { workers: 2 }, 'persistentvolume-binder': { workers: 2 }, 'localpath-provisioner': { workers: 2, retryAfterMs: 10000 } } },
    },
    { name: 'kubeconfig is required', argv: () => [], error: /must have required property 'kubeconfig'/ },
    { name: 'a malformed controller name', argv: () => ['--kubeconfig', '/k', '--controllers', 'Replica Set'], error: /controllers\.0 must match pattern/ },
    { name: 'an unknown setting', argv: () => ['--kubeconfig', '/k', '--replicas', '3'], error: /unknown setting "replicas"/ },
    { name: 'controller options must be mappings', argv: () => ['--kubeconfig', '/k', '--config', file('bad.yaml', 'controllerOptions:\n  replicaset: 3\n')], error: /controllerOptions\.replicaset must be object/ },
    { name: 'renew deadline below the lease duration', argv: () => ['--kubeconfig', '/k', '--renew-deadline-seconds', '20'], error: /renewDeadlineSeconds \(20\) must be less than leaseDurationSeconds \(15\)/ },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      for (const [k, v] of Object.entries(tc.env ?? {})) process.env[k] = v;
      try {
        const run = (): ControllerManagerConfig => loadControllerManagerConfig(tc.argv());
        if (tc.error) expect(run).to.throw(ConfigError, tc.error);
        else expect(run()).to.deep.include(tc.want!);
      } finally {
        for (const k of Object.keys(tc.env ?? {})) delete process.env[k];
      }
    });
  }
});
