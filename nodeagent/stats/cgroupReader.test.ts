// The counters of the node, a pod and a container from cgroup v1 and v2 fixture trees
// (copied from real hosts' files, under fixtures/), and the parsers' refusals.

import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { countersV1, countersV2, CounterParseError, type CgroupCounters } from './cgroupCounters.js';
import { CgroupReader } from './cgroupReader.js';
import { hostCpuNanos, hostMemory } from './hostCounters.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const cid = '0123456789abcdef0123456789abcdef';
const Ki = 1024;

function reader(tree: string, version: 1 | 2): CgroupReader {
  return new CgroupReader({ version, mountRoot: path.join(fixtures, tree), procRoot: path.join(fixtures, tree, 'proc') });
}

describe('cgroup counters', () => {
  const cases: { name: string; tree: string; version: 1 | 2; cgroup: string; want: CgroupCounters | undefined }[] = [
    {
      name: 'v1 host root: cpuacct.usage, usage_in_bytes - total_inactive_file',
      tree: 'v1',
      version: 1,
      cgroup: '/',
      want: { cpuNanos: 33236346111019, memoryUsageBytes: 2235367424, memoryWorkingSetBytes: 2235367424 - 276922368 },
    },
    {
      name: 'v1 pod cgroup under burstable/: the hierarchical total_inactive_file, not the local inactive_file',
      tree: 'v1',
      version: 1,
      cgroup: '/gantry/burstable/poduid-1',
      want: { cpuNanos: 1_500_000_000, memoryUsageBytes: 52428800, memoryWorkingSetBytes: 52428800 - 6291456 },
    },
    {
      name: 'v1 container cgroup',
      tree: 'v1',
      version: 1,
      cgroup: `/gantry/burstable/poduid-1/${cid}`,
      want: { cpuNanos: 1_400_000_000, memoryUsageBytes: 50331648, memoryWorkingSetBytes: 50331648 - 6291456 },
    },
    {
      name: 'v1 inactive cache above usage: working set 0, never negative',
      tree: 'v1',
      version: 1,
      cgroup: '/gantry/besteffort/poduid-2',
      want: { cpuNanos: 0, memoryUsageBytes: 4096, memoryWorkingSetBytes: 0 },
    },
    { name: 'v1 cgroup that is gone: undefined', tree: 'v1', version: 1, cgroup: '/gantry/burstable/podgone', want: undefined },
    {
      name: 'v2 host root: cpu.stat usage_usec; memory from /proc/meminfo (the root has no memory.current)',
      tree: 'v2',
      version: 2,
      cgroup: '/',
      want: { cpuNanos: 987654321 * 1000, memoryUsageBytes: (24683772 - 22129364) * Ki, memoryWorkingSetBytes: (24683772 - 22129364 - 271968) * Ki },
    },
    {
      name: 'v2 pod cgroup: memory.current - inactive_file',
      tree: 'v2',
      version: 2,
      cgroup: '/gantry/poduid-3',
      want: { cpuNanos: 2_500_000_000, memoryUsageBytes: 73400320, memoryWorkingSetBytes: 73400320 - 8388608 },
    },
    {
      name: 'v2 container cgroup',
      tree: 'v2',
      version: 2,
      cgroup: `/gantry/poduid-3/${cid}`,
      want: { cpuNanos: 2_400_000_000, memoryUsageBytes: 71303168, memoryWorkingSetBytes: 71303168 - 8388608 },
    },
    { name: 'v2 cgroup that is gone: undefined', tree: 'v2', version: 2, cgroup: '/gantry/podgone', want: undefined },
    {
      name: 'v2 root without cpu.stat (older kernels): busy jiffies of /proc/stat',
      tree: 'v2-noroot-cpu',
      version: 2,
      cgroup: '/',
      // user + nice + system + irq + softirq + steal, at 100 jiffies per second
      want: { cpuNanos: (2434037 + 0 + 805814 + 0 + 28518 + 481) * 1e7, memoryUsageBytes: (24683772 - 22129364) * Ki, memoryWorkingSetBytes: (24683772 - 22129364 - 271968) * Ki },
    },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      expect(await reader(tc.tree, tc.version).read(tc.cgroup)).to.deep.equal(tc.want);
    });
  }

  it('finds which cgroups exist (the memory hierarchy on v1)', async () => {
    expect(await reader('v1', 1).exists('/gantry/burstable/poduid-1')).to.equal(true);
    expect(await reader('v1', 1).exists('/gantry/poduid-1')).to.equal(false);
    expect(await reader('v2', 2).exists('/gantry/poduid-3')).to.equal(true);
  });

  it('refuses a path that leaves the hierarchy', async () => {
    let err: unknown;
    await reader('v1', 1)
      .read('/gantry/../../etc')
      .catch((e: unknown) => (err = e));
    expect(String(err)).to.contain('invalid cgroup path');
  });

  const text = (tree: string, file: string): string => readFileSync(path.join(fixtures, tree, file), 'utf8');
  const refusals: { name: string; parse: () => unknown; message: RegExp }[] = [
    { name: 'v1 usage "max"', parse: () => countersV1({ cpuacctUsage: '1\n', memoryUsage: 'max\n', memoryStat: '' }), message: /memory.usage_in_bytes is not a number/ },
    { name: 'v1 empty cpuacct.usage', parse: () => countersV1({ cpuacctUsage: '', memoryUsage: '1', memoryStat: '' }), message: /cpuacct.usage is not a number/ },
    { name: 'v2 cpu.stat without usage_usec', parse: () => countersV2({ cpuStat: 'user_usec 5\n', memoryCurrent: '1', memoryStat: '' }), message: /no usage_usec/ },
    { name: 'v2 negative memory.current', parse: () => countersV2({ cpuStat: 'usage_usec 5', memoryCurrent: '-1', memoryStat: '' }), message: /memory.current is not a number/ },
    { name: '/proc/meminfo without MemFree', parse: () => hostMemory('MemTotal: 10 kB\n'), message: /MemFree/ },
    { name: '/proc/stat without a cpu line', parse: () => hostCpuNanos('intr 1 2\n'), message: /no cpu line/ },
  ];
  for (const tc of refusals) {
    it(`refuses ${tc.name}`, () => {
      expect(tc.parse).to.throw(CounterParseError, tc.message);
    });
  }

  it('parses the fixture files the same with or without trailing newlines and unknown keys', () => {
    const stat = text('v2', 'gantry/poduid-3/memory.stat').trimEnd() + '\nsome_new_key 12\nbroken line\n';
    expect(countersV2({ cpuStat: text('v2', 'gantry/poduid-3/cpu.stat'), memoryCurrent: '73400320', memoryStat: stat }).memoryWorkingSetBytes).to.equal(73400320 - 8388608);
  });
});
