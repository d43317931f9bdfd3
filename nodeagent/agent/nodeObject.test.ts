import { expect } from 'chai';
import type { HostInfo } from './hostInfo.js';
import { capacityAndAllocatable, conditionsChanged, nodeAnnotations, nodeConditions, nodeObject, nodeStatus, type NodeIdentity } from './nodeObject.js';
import { pressureFrom } from './pressure.js';

const host: HostInfo = { cpuCores: 2, memoryBytes: 4n * 1024n ** 3n, hostname: 'h', machineId: 'm', bootId: 'b', kernelVersion: '6.1', osImage: 'Debian', architecture: 'amd64' };
const id: NodeIdentity = { nodeName: 'n1', address: '10.0.0.1', port: 10250, podSubnet: '10.88.0.0/16', maxPods: 110, reservedCpu: '100m', reservedMemory: '256Mi', evictionMemoryAvailable: '100Mi', runtimeVersion: 'runc://1.1' };
const calm = { memory: false, disk: false, pids: false };

describe('node object', () => {
  it('reports capacity from the host and allocatable minus reservations and the eviction threshold', () => {
    const r = capacityAndAllocatable(id, host, 10n * 1024n ** 3n);
    expect(r.capacity).to.deep.equal({ cpu: '2', memory: '4194304Ki', pods: '110', 'ephemeral-storage': '10485760Ki' });
    expect(r.allocatable.cpu).to.equal('1900m');
    expect(r.allocatable.memory).to.equal(`${4194304 - 256 * 1024 - 100 * 1024}Ki`);
  });

  it('announces the local-path root as an annotation, when the agent has one', () => {
    const withRoot = { ...id, localPathRoot: '/var/lib/gantry/agent/local-path' };
    expect(nodeAnnotations(withRoot)).to.deep.equal({ 'storage.gantry.dev/local-path-root': '/var/lib/gantry/agent/local-path' });
    expect((nodeObject(withRoot, host).metadata as { annotations: unknown }).annotations).to.deep.equal(nodeAnnotations(withRoot));
    expect(nodeAnnotations(id)).to.deep.equal({});
  });

  it('never reports negative allocatable', () => {
    const r = capacityAndAllocatable({ ...id, reservedCpu: '8' }, host, 0n);
    expect(r.allocatable.cpu).to.equal('0');
  });

  it('advertises the logs/exec endpoint and addresses', () => {
    const s = nodeStatus(id, host, 0n, []) as { addresses: unknown; daemonEndpoints: unknown };
    expect(s.addresses).to.deep.equal([{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: 'n1' }]);
    expect(s.daemonEndpoints).to.deep.equal({ kubeletEndpoint: { Port: 10250 } });
  });

  const cases = [
    { name: 'healthy', health: { pressure: calm }, want: { Ready: 'True', MemoryPressure: 'False', DiskPressure: 'False', PIDPressure: 'False' } },
    { name: 'runtime down', health: { pressure: calm, runtimeError: 'boom' }, want: { Ready: 'False', MemoryPressure: 'False', DiskPressure: 'False', PIDPressure: 'False' } },
    { name: 'memory and disk pressure', health: { pressure: { memory: true, disk: true, pids: false } }, want: { Ready: 'True', MemoryPressure: 'True', DiskPressure: 'True', PIDPressure: 'False' } },
  ];
  for (const tc of cases) {
    it(`conditions: ${tc.name}`, () => {
      const got = Object.fromEntries(nodeConditions(tc.health, [], 0).map((c) => [c.type, c.status]));
      expect(got).to.deep.equal(tc.want);
    });
  }

  it('keeps transition times while a status holds and notices real changes only', () => {
    const first = nodeConditions({ pressure: calm }, [], Date.parse('2026-01-01T00:00:00Z'));
    const later = nodeConditions({ pressure: calm }, first, Date.parse('2026-01-01T00:05:00Z'));
    expect(later.find((c) => c.type === 'Ready')!.lastTransitionTime).to.equal('2026-01-01T00:00:00Z');
    expect(later.find((c) => c.type === 'Ready')!.lastHeartbeatTime).to.equal('2026-01-01T00:05:00Z');
    expect(conditionsChanged(first, later)).to.equal(false);
    const down = nodeConditions({ pressure: calm, runtimeError: 'x' }, later, Date.parse('2026-01-01T00:06:00Z'));
    expect(conditionsChanged(later, down)).to.equal(true);
    expect(down.find((c) => c.type === 'Ready')!.lastTransitionTime).to.equal('2026-01-01T00:06:00Z');
  });

  it('derives pressure from readings and thresholds', () => {
    const t = { memoryAvailableBytes: 100n * 1024n * 1024n, diskFreePercent: 10 };
    expect(pressureFrom({ memoryAvailableBytes: 50n * 1024n * 1024n, diskFreePercent: 50, pidsUsed: 10, pidsMax: 1000 }, t)).to.deep.equal({ memory: true, disk: false, pids: false });
    expect(pressureFrom({ memoryAvailableBytes: 1n << 40n, diskFreePercent: 5, pidsUsed: 950, pidsMax: 1000 }, t)).to.deep.equal({ memory: false, disk: true, pids: true });
  });
});
