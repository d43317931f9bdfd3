// The `gantry top` tables from API objects and metrics objects: usage beside requests and
// limits against allocatable per node and resource, a bar per row on a terminal, --requests
// without usage, and per pod (or container) use against its own request and limit.

import { expect } from 'chai';
import type { PodLike } from './podAmounts.js';
import { topNodesText, type TopNodesOptions } from './topNodes.js';
import { topPodsText, type TopPodsOptions } from './topPods.js';
import { bar } from './topTable.js';
import { nodeUsages, podUsages, usageOf, type NodeMetricsLike, type PodMetricsLike } from './topUsage.js';

const node = (name: string, cpu: string, memory: string, pods = '110'): { metadata: { name: string }; status: { allocatable: Record<string, string> } } => ({ metadata: { name }, status: { allocatable: { cpu, memory, pods } } });
const res = (requests: Record<string, string>, limits: Record<string, string> = {}): object => ({ resources: { requests, limits } });
const pod = (ns: string, name: string, nodeName: string, containers: object[], extra: { phase?: string; initContainers?: object[] } = {}): PodLike =>
  ({ metadata: { name, namespace: ns }, spec: { nodeName, containers, ...(extra.initContainers ? { initContainers: extra.initContainers } : {}) }, status: { phase: extra.phase ?? 'Running' } }) as PodLike;
const nm = (name: string, cpu: string, memory: string): NodeMetricsLike => ({ metadata: { name }, usage: { cpu, memory } });
const pm = (ns: string, name: string, containers: [string, string, string][]): PodMetricsLike => ({ metadata: { name, namespace: ns }, containers: containers.map(([n, cpu, memory]) => ({ name: n, usage: { cpu, memory } })) });

const nodes = [node('n1', '2', '4Gi'), node('n2', '4', '8Gi', '10')];
const pods = [
  pod('a', 'web', 'n1', [{ name: 'app', ...res({ cpu: '500m', memory: '256Mi' }, { cpu: '1', memory: '512Mi' }) }]),
  pod('a', 'db', 'n1', [{ name: 'db', ...res({ cpu: '250m' }) }]),
  pod('b', 'done', 'n2', [{ name: 'c', ...res({ cpu: '3' }) }], { phase: 'Succeeded' }),
];

describe('gantry top nodes: usage, requests and limits against allocatable per node and resource', () => {
  const cases: { name: string; metrics: NodeMetricsLike[]; o: Partial<TopNodesOptions>; want: string[] }[] = [
    {
      name: 'usage (millicores up, Mi down, percent truncated) beside the sums the scheduler makes; a node without a sample is <unknown>; finished pods hold nothing',
      metrics: [nm('n1', '250000001n', '1048577Ki')],
      o: {},
      want: [
        'NAME   RESOURCE   USAGE        REQUESTS   LIMITS      ALLOCATABLE',
        'n1     cpu        251m 12%     750m 37%   1000m 50%   2000m',
        'n1     memory     1024Mi 25%   256Mi 6%   512Mi 12%   4Gi',
        'n1     pods       -            2 1%       -           110',
        'n2     cpu        <unknown>    0m 0%      0m 0%       4000m',
        'n2     memory     <unknown>    0 0%       0 0%        8Gi',
        'n2     pods       -            0 0%       -           10',
      ],
    },
    {
      name: 'a terminal adds a bar per row: # the requested share, | where use stands',
      metrics: [nm('n1', '1500m', '3Gi'), nm('n2', '10m', '100Mi')],
      o: { tty: true, headers: false },
      want: [
        'n1    cpu      1500m 75%    750m 37%   1000m 50%   2000m   [####···|··]',
        'n1    memory   3072Mi 75%   256Mi 6%   512Mi 12%   4Gi     [#······|··]',
        'n1    pods     -            2 1%       -           110     [··········]',
        'n2    cpu      10m 0%       0m 0%      0m 0%       4000m   [|·········]',
        'n2    memory   100Mi 1%     0 0%       0 0%        8Gi     [|·········]',
        'n2    pods     -            0 0%       -           10      [··········]',
      ],
    },
    {
      name: '--sort-by=memory: the largest use first, nodes without usage last',
      metrics: [nm('n2', '10m', '100Mi')],
      o: { sortBy: 'memory', headers: false },
      want: [
        'n2    cpu      10m 0%      0m 0%      0m 0%       4000m',
        'n2    memory   100Mi 1%    0 0%       0 0%        8Gi',
        'n2    pods     -           0 0%       -           10',
        'n1    cpu      <unknown>   750m 37%   1000m 50%   2000m',
        'n1    memory   <unknown>   256Mi 6%   512Mi 12%   4Gi',
        'n1    pods     -           2 1%       -           110',
      ],
    },
    {
      name: '--requests: no usage column, the bar shows requests only',
      metrics: [nm('n1', '1500m', '3Gi')],
      o: { showUsage: false, tty: true },
      want: [
        'NAME   RESOURCE   REQUESTS   LIMITS      ALLOCATABLE   # REQUESTED',
        'n1     cpu        750m 37%   1000m 50%   2000m         [####······]',
        'n1     memory     256Mi 6%   512Mi 12%   4Gi           [#·········]',
        'n1     pods       2 1%       -           110           [··········]',
        'n2     cpu        0m 0%      0m 0%       4000m         [··········]',
        'n2     memory     0 0%       0 0%        8Gi           [··········]',
        'n2     pods       0 0%       -           10            [··········]',
      ],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(topNodesText(nodes, pods, nodeUsages(tc.metrics), { headers: true, tty: false, showUsage: true, ...tc.o })).to.equal(tc.want.join('\n') + '\n');
    });
  }

  const bars: [string, number, number, number | undefined, string][] = [
    ['nothing', 0, 100, undefined, '[··········]'],
    ['half requested, unused', 50, 100, 0, '[|####·····]'],
    ['used beyond the requests', 20, 100, 85, '[##······|·]'],
    ['use over allocatable stays on the bar', 10, 100, 250, '[#········|]'],
    ['requests over allocatable: full and !', 130, 100, undefined, '[##########]!'],
    ['no allocatable', 5, 0, 1, '[··········]'],
  ];
  for (const [name, requested, whole, used, want] of bars) it(`bar: ${name}`, () => expect(bar(requested, whole, used)).to.equal(want));
});

describe('gantry top pods: use beside request and limit', () => {
  const sidecarPod = pod('a', 'mesh', 'n2', [{ name: 'app', ...res({ cpu: '200m', memory: '64Mi' }, { memory: '128Mi' }) }], {
    initContainers: [{ name: 'init', ...res({ cpu: '1' }) }, { name: 'proxy', restartPolicy: 'Always', ...res({ cpu: '100m', memory: '32Mi' }, { cpu: '100m' }) }],
  });
  const all = [...pods.slice(0, 2), sidecarPod];
  const metrics = [
    pm('a', 'web', [['app', '120000000n', '30Mi']]),
    pm('a', 'mesh', [['app', '150m', '70Mi'], ['proxy', '5000001n', '10Mi']]),
  ];
  const cases: { name: string; o: Partial<TopPodsOptions>; want: string[] }[] = [
    {
      name: "the pod's effective request and limit (an init container's peak, a sidecar's share); a pod without a sample is <unknown>",
      o: {},
      want: [
        'NAME   CPU                                       MEMORY',
        'db     <unknown> (request 250m, no limit)        <unknown> (no request, no limit)',
        'mesh   156m (15% of request 1000m, limit 100m)   80Mi (83% of request 96Mi, limit 128Mi)',
        'web    120m (24% of request 500m, limit 1000m)   30Mi (11% of request 256Mi, limit 512Mi)',
      ],
    },
    {
      name: '--containers: each running container (sidecars too) against its own',
      o: { containers: true, allNamespaces: true, headers: false },
      want: [
        'a     db     db      <unknown> (request 250m, no limit)        <unknown> (no request, no limit)',
        'a     mesh   proxy   6m (6% of request 100m, limit 100m)       10Mi (31% of request 32Mi, no limit)',
        'a     mesh   app     150m (75% of request 200m, no limit)      70Mi (109% of request 64Mi, limit 128Mi)',
        'a     web    app     120m (24% of request 500m, limit 1000m)   30Mi (11% of request 256Mi, limit 512Mi)',
      ],
    },
    {
      name: '--sort-by=cpu: the largest use first, pods without usage last',
      o: { sortBy: 'cpu', headers: false },
      want: [
        'mesh   156m (15% of request 1000m, limit 100m)   80Mi (83% of request 96Mi, limit 128Mi)',
        'web    120m (24% of request 500m, limit 1000m)   30Mi (11% of request 256Mi, limit 512Mi)',
        'db     <unknown> (request 250m, no limit)        <unknown> (no request, no limit)',
      ],
    },
    {
      name: '--requests: requests and limits only',
      o: { showUsage: false },
      want: ['NAME   CPU                         MEMORY', 'db     request 250m, no limit      no request, no limit', 'mesh   request 1000m, limit 100m   request 96Mi, limit 128Mi', 'web    request 500m, limit 1000m   request 256Mi, limit 512Mi'],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(topPodsText(all, podUsages(metrics), { headers: true, allNamespaces: false, containers: false, showUsage: true, ...tc.o })).to.equal(tc.want.join('\n') + '\n');
    });
  }

  it("a pod's usage is rounded once, from the sum of its containers' nano-units", () => {
    expect(usageOf([{ cpu: '500001n' }, { cpu: '500000n' }])).to.deep.equal({ cpu: 2, memory: 0 });
    expect(usageOf([{ memory: '1.5' }, { memory: '1.5' }])).to.deep.equal({ cpu: 0, memory: 3 });
  });
});
