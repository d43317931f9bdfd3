// One `gantry up` cluster for one e2e file: its temp dir, home and kubeconfig, kubectls with
// fresh caches, an API client, and the `gantry down` + temp dir removal that undoes it all.
// Nothing is registered globally: each file calls upForTests from its before() and down()
// from its after(), with the timeouts that file needs.

import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { RestClient } from '../common/client/restClient.js';
import { readKubeconfig } from '../common/kubeconfig.js';
import { makeTempDir } from '../common/proc/etcdProcess.js';
import { randomBytes } from 'node:crypto';
import { mountsUnder } from '../common/proc/leftovers.js';
import { freePort } from '../common/proc/ports.js';
import { gantry } from '../common/testing/gantryCli.js';
import { kubectlFor, type Kubectl } from '../common/testing/kubectl.js';

/**
 * `gantry up` flags that keep a test cluster apart from any other on this machine (a
 * developer's own `gantry up` included): its own API port, bridge, cgroup root and pod
 * subnet, so its `down` removes only what it made.
 */
export async function isolatedUpArgs(hosts = 1): Promise<string[]> {
  const id = randomBytes(3).toString('hex');
  // Its own bridge (and so namespace names) and cgroups; `up` picks a host network no other uses.
  return ['up', '--api-port', String(await freePort()), '--bridge', `gte2e${id}`, '--cgroup-root', `gantry-e2e-${id}`, '--hosts', String(hosts)];
}

/**
 * Removes a test's temp dir unless something is still mounted in it (a failed teardown):
 * deleting through a mount would delete what is mounted. Then it fails, loudly.
 */
export function removeUnlessMounted(tmp: { dir: string; remove: () => void }): void {
  const mounts = mountsUnder(tmp.dir);
  if (mounts.length) throw new Error(`kept ${tmp.dir}: still mounted there: ${mounts.join(', ')}`);
  tmp.remove();
}

export interface DownChecks {
  /** Fail unless `gantry down` exits 0 (default true). */
  exitCode?: boolean;
  /** Fail unless `gantry down` removed the cluster home (default false). */
  homeRemoved?: boolean;
}

export interface TestCluster {
  tmp: { dir: string; remove: () => void };
  /** GANTRY_HOME of the cluster, inside tmp. */
  home: string;
  kubeconfig: string;
  /** The flags `gantry up` ran with (its own port, bridge, cgroup root and pod subnet). */
  upArgs: string[];
  /** What `gantry up` printed. */
  upOutput: string;
  /** kubectl 1.<minor> (the dispatcher on PATH without one), each call with a new cache dir. */
  kubectl(minor?: number): Kubectl;
  /** An API client for the cluster, made on first use and closed by stop/down. */
  client(): RestClient;
  /** Runs `gantry down` (once; later calls return the same answer), for tests that check what it removes. */
  stop(): Promise<{ code: number; out: string }>;
  /** For after(): `gantry down` unless stop ran, then removes tmp unless something is still mounted there. */
  down(checks?: DownChecks): Promise<void>;
}

/** `gantry up` in a new temp dir named after `label`; if up fails, undoes what it started and throws. */
export async function upForTests(label: string, opts: { hosts?: number; etcdMembers?: number; apiServerWorkers?: number } = {}): Promise<TestCluster> {
  const tmp = makeTempDir(label);
  const home = path.join(tmp.dir, 'home');
  const kubeconfig = path.join(home, 'kubeconfig');
  const cacheParent = path.join(tmp.dir, 'kube-cache');
  let client: RestClient | undefined;
  let stopped: Promise<{ code: number; out: string }> | undefined;

  const cluster: TestCluster = {
    tmp,
    home,
    kubeconfig,
    upArgs: [],
    upOutput: '',
    kubectl: (minor) => kubectlFor(kubeconfig, cacheParent, minor),
    client: () => (client ??= new RestClient(readKubeconfig(kubeconfig))),
    stop: () => {
      client?.close();
      return (stopped ??= gantry(home, ['down']));
    },
    down: async ({ exitCode = true, homeRemoved = false } = {}) => {
      try {
        const ranHere = stopped === undefined;
        const r = await cluster.stop();
        if (ranHere && exitCode) expect(r.code, r.out).to.equal(0);
        if (ranHere && homeRemoved) expect(fs.existsSync(home)).to.equal(false);
      } finally {
        removeUnlessMounted(tmp);
      }
    },
  };

  try {
    cluster.upArgs = [...(await isolatedUpArgs(opts.hosts)), ...(opts.etcdMembers ? ['--etcd-members', String(opts.etcdMembers)] : []), ...(opts.apiServerWorkers ? ['--apiserver-workers', String(opts.apiServerWorkers)] : [])];
    const up = await gantry(home, cluster.upArgs);
    cluster.upOutput = up.out;
    expect(up.code, up.out).to.equal(0);
  } catch (err) {
    // The caller never gets the cluster, so its after() cannot undo a half-started one.
    try {
      await cluster.down({ exitCode: false });
    } catch (cleanup) {
      throw new Error(`${String(err)}\nand cleaning up after it failed: ${String(cleanup)}`);
    }
    throw err;
  }
  return cluster;
}
