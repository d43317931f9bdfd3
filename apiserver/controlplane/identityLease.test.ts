// The identity Lease through a real API server's stores: created, renewed under the same
// holder, another instance's expired Lease deleted (a live one kept), and deleted on stop
// only while this process holds it.

import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { FakeClock } from '../../common/clock.js';
import { silentLogger } from '../../common/logging.js';
import { suiteTestCluster } from '../testing/suiteCluster.js';
import { IdentityLease, identityLabel, identityLeaseName } from './identityLease.js';

const leases = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases';

describe('API server identity Lease (etcd + API server)', function () {
  this.timeout(60_000);
  const c = suiteTestCluster();
  let clock: FakeClock;

  beforeEach(() => {
    clock = new FakeClock(Date.parse('2026-12-07T10:00:00Z'));
  });

  const lease = (slot?: number): IdentityLease => new IdentityLease({ leases: c.server.stores.get('coordination.k8s.io/leases')!, hostname: 'cp-1', port: 6443, ...(slot !== undefined ? { slot } : {}), logger: silentLogger(), clock });
  const read = async (name: string): Promise<KubeObject | undefined> => {
    const res = await c.client.get<KubeObject>(`${leases}/${name}`);
    return res.status === 200 ? res.body : undefined;
  };
  const plant = async (name: string, renewTime: string | undefined, leaseDurationSeconds: number): Promise<void> => {
    const res = await c.client.request('POST', leases, {
      body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, labels: { [identityLabel]: 'kube-apiserver' } }, spec: { holderIdentity: `${name}_x`, leaseDurationSeconds, ...(renewTime ? { renewTime } : {}) } },
    });
    expect(res.status, res.text).to.equal(201);
  };

  it('names are stable per host, port and slot, and valid object names', () => {
    expect(identityLeaseName('cp-1', 6443)).to.equal(identityLeaseName('cp-1', 6443));
    expect(identityLeaseName('cp-1', 6443, 0)).to.match(/^apiserver-[0-9a-f]{16}-w0$/);
    expect(new Set([identityLeaseName('cp-1', 6443), identityLeaseName('cp-2', 6443), identityLeaseName('cp-1', 6444), identityLeaseName('CP_1.Example', 6443, 3)]).size).to.equal(4);
  });

  it('creates its Lease, renews it under the same holder, and a restarted process takes it over', async () => {
    const first = lease(0);
    await first.runOnce();
    const made = (await read(first.name))!;
    expect(made.metadata.labels).to.deep.equal({ [identityLabel]: 'kube-apiserver', 'kubernetes.io/hostname': 'cp-1' });
    expect(made.spec).to.deep.include({ holderIdentity: first.holderIdentity, leaseDurationSeconds: 3600, renewTime: '2026-12-07T10:00:00.000000Z' });
    clock.advance(10_000);
    await first.runOnce();
    expect((await read(first.name))!.spec).to.deep.include({ holderIdentity: first.holderIdentity, renewTime: '2026-12-07T10:00:10.000000Z' });

    const second = lease(0);
    expect(second.name).to.equal(first.name);
    await second.runOnce();
    expect(((await read(first.name))!.spec as { holderIdentity: string }).holderIdentity).to.equal(second.holderIdentity);
    // The old holder no longer owns it: its stop leaves the Lease alone; the holder's stop deletes it.
    await first.stop();
    expect(await read(first.name)).to.not.equal(undefined);
    await second.stop();
    expect(await read(first.name)).to.equal(undefined);
  });

  it("deletes other instances' Leases not renewed within their duration, and keeps live ones", async () => {
    await plant('apiserver-gone', '2026-12-07T08:59:59.000000Z', 3600);
    await plant('apiserver-alive', '2026-12-07T09:00:01.000000Z', 3600);
    await plant('apiserver-never-renewed', undefined, 3600);
    const mine = lease();
    await mine.runOnce();
    expect(await read('apiserver-gone')).to.equal(undefined);
    expect(await read('apiserver-alive')).to.not.equal(undefined);
    expect(await read('apiserver-never-renewed')).to.not.equal(undefined);
    await mine.stop();
  });
});
