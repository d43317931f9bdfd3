// The resource-usage summary a node agent serves at /stats/summary and the API server's
// metrics API reads: the CPU-and-memory subset of the kubelet's Summary API
// (k8s.io/kubelet/pkg/apis/stats/v1alpha1), same field names, so a tool that reads a
// kubelet's summary reads ours. The agent computes the CPU rate from its last two samples;
// `windowSeconds` (Gantry's addition) says over how long, which the kubelet leaves implicit
// and metrics.k8s.io reports as `window`.

export interface CpuStats {
  /** When the latest sample was taken (RFC 3339). */
  time: string;
  /** Average use between the last two samples, in billionths of a core; absent after one sample. */
  usageNanoCores?: number;
  /** Cumulative CPU time since the cgroup was created. */
  usageCoreNanoSeconds: number;
  /** How far apart the two samples behind usageNanoCores were. */
  windowSeconds?: number;
}

export interface MemoryStats {
  time: string;
  /** All memory charged, page cache included. */
  usageBytes: number;
  /** usage - inactive file cache: what the kernel cannot easily take back (what OOM decisions and `kubectl top` use). */
  workingSetBytes: number;
}

export interface ContainerUsage {
  name: string;
  startTime?: string;
  cpu: CpuStats;
  memory: MemoryStats;
}

export interface PodUsage {
  podRef: { name: string; namespace: string; uid: string };
  startTime?: string;
  /** The pod's cgroup as a whole (its sandbox included). */
  cpu: CpuStats;
  memory: MemoryStats;
  containers: ContainerUsage[];
}

export interface NodeUsageStats {
  nodeName: string;
  cpu: CpuStats;
  memory: MemoryStats;
}

export interface StatsSummary {
  node: NodeUsageStats;
  pods: PodUsage[];
}

/** The agent's path, as the kubelet names it. */
export const statsSummaryPath = '/stats/summary';
