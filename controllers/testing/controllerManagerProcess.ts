// The real controller-manager process (controllers/main.ts) for integration tests: its token
// and kubeconfig in a ProcessCluster, a spawn with the flags a test needs (logs go to
// `<cluster dir>/<identity>.log`), the exit, and a plain HTTP GET for its /healthz and
// /metrics. Shared by the tests that kill or stop it (replicaset, deployment).

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { renderKubeconfig } from '../../common/kubeconfig.js';
import { componentCommand } from '../../common/proc/components.js';
import type { ProcessCluster } from '../../common/testing/cluster.js';

/** The token-file line to give startProcessCluster's `extraTokens`: the manager's own identity. */
export const controllerManagerUser = { token: 'controller-manager-test-token', user: 'system:kube-controller-manager', groups: [] as string[] };

/** Writes (once per cluster) and returns the manager's kubeconfig in the cluster's temp dir. */
export function controllerManagerKubeconfig(c: ProcessCluster): string {
  const file = path.join(c.dir, 'controller-manager.kubeconfig');
  if (!fs.existsSync(file)) fs.writeFileSync(file, renderKubeconfig({ ...c.access, token: controllerManagerUser.token, user: controllerManagerUser.user }), { mode: 0o600 });
  return file;
}

export interface ControllerManagerProcess {
  child: ChildProcess;
  /** The process's stdout and stderr. */
  log: string;
  /** Resolves with the exit code (null when a signal ended it) once the process is gone. */
  exited: Promise<number | null>;
}

/**
 * Starts `controllers/main` against `c` as `identity`, with `flags` appended (e.g. short lease
 * timings, --controllers). The caller stops it (stopChild) in its finally.
 */
export function spawnControllerManager(c: ProcessCluster, identity: string, flags: string[]): ControllerManagerProcess {
  const { command, args } = componentCommand('controllers/main');
  const log = path.join(c.dir, `${identity}.log`);
  const fd = fs.openSync(log, 'a');
  const child = spawn(command, [...args, '--kubeconfig', controllerManagerKubeconfig(c), '--identity', identity, ...flags], { stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, log, exited };
}

/** The last `chars` of a log, for assertion messages. */
export function logTail(file: string, chars = 2000): string {
  try {
    return fs.readFileSync(file, 'utf8').slice(-chars);
  } catch {
    return '(no log)';
  }
}

export function httpGet(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      })
      .on('error', reject);
  });
}
