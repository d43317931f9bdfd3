// One test cluster for a whole describe(): started in its before(), closed in its after().
// Every integration suite wrote that pair by hand; here it is written once.

import { startTestCluster, type TestCluster, type TestClusterOptions } from './harness.js';

/**
 * Registers the suite's before()/after() and returns the cluster they manage. Call it first in
 * the describe(), so hooks registered after it (namespaces, clients) already see the cluster.
 * The returned object is filled in by before() (its accessors, `server` and `etcd`, stay live
 * across restarts); like a `let c: TestCluster`, it is empty until then.
 */
export function suiteTestCluster(opts: TestClusterOptions = {}): TestCluster {
  const cluster = {} as TestCluster;
  let started: TestCluster | undefined;
  before(async () => {
    started = await startTestCluster(opts);
    Object.defineProperties(cluster, Object.getOwnPropertyDescriptors(started));
  });
  after(async () => {
    await started?.close();
  });
  return cluster;
}
