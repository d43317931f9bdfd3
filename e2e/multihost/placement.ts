// What Gantry's scheduler promises about where pods land (scheduler/config/profile.ts and
// scheduler/core/spreading.test.ts): replicas of one workload (a ReplicaSet's pods, or pods
// one Service selects) spread over hosts, because PodTopologySpread's default constraints
// (by hostname, weight 2, as in Kubernetes) outweigh the small differences MostAllocated
// sees; pods that are not replicas of one another pack onto the fullest host that fits.

/** Per-host counts of `podHosts` over every host in `hosts` (0 for a host without any). */
export function countsPerHost(podHosts: string[], hosts: string[]): Map<string, number> {
  const counts = new Map(hosts.map((h) => [h, 0]));
  for (const h of podHosts) {
    if (!counts.has(h)) throw new Error(`a pod on ${h}, which is not one of ${hosts.join(', ')}`);
    counts.set(h, counts.get(h)! + 1);
  }
  return counts;
}

/** The most pods on one host minus the fewest on another: 0 or 1 when spread evenly. */
export function skew(podHosts: string[], hosts: string[]): number {
  const counts = [...countsPerHost(podHosts, hosts).values()];
  return counts.length ? Math.max(...counts) - Math.min(...counts) : 0;
}
