// The set-up every *.kubectl.test.ts shares: one real API server for the suite, kubectl 1.NN of
// each release under test with a cache of its own (so each really fetches our discovery and
// OpenAPI), and a namespace per release so one release's objects never meet another's.

import { getJson } from '../../common/testing/getJson.js';
import { kubectlReleases, type KubectlReleases } from '../../common/testing/kubectl.js';
import type { TestCluster } from './harness.js';
import { suiteTestCluster } from './suiteCluster.js';

export interface KubectlSuite extends KubectlReleases {
  /** The suite's cluster, filled in by before(). */
  readonly cluster: TestCluster;
  /** The namespace of kubectl 1.<minor>, created in before(). */
  ns(minor: number): string;
  /** A GET as admin that fails the test unless it answers 200. */
  getJson<T = Record<string, unknown>>(path: string): Promise<T>;
}

export interface KubectlSuiteOptions {
  /** The kubectl minor releases the suite runs, e.g. [27, 33]. */
  versions: readonly number[];
  /** Release 1.NN works in namespace `<prefix>-NN`. */
  namespacePrefix: string;
}

/** Call first in the describe(): registers the before()/after() that start and remove it all. */
export function kubectlSuite(opts: KubectlSuiteOptions): KubectlSuite {
  const cluster = suiteTestCluster();
  const releases = kubectlReleases(() => cluster.kubeconfig, () => cluster.dir);
  const ns = (minor: number): string => `${opts.namespacePrefix}-${minor}`;
  before(async () => {
    for (const v of opts.versions) await releases.ok(v, ['create', 'namespace', ns(v)]);
  });
  return { ...releases, cluster, ns, getJson: <T = Record<string, unknown>>(path: string) => getJson<T>(cluster.client, path) };
}
