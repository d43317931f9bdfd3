// How low this host lets a container's oom_score_adj go. Lowering it needs CAP_SYS_RESOURCE;
// without it (a sandbox or user namespace that withholds the capability) the kernel refuses
// any value below the process's oom_score_adj_min (inherited; 0 for most of them), and runc
// fails the whole container on `failed to update /proc/self/oom_score_adj`. The kernel does
// not show the minimum, so a short-lived shell finds it: it starts at this process's value
// and searches down to -1000 for the lowest value its own file accepts (each write only
// lowers it, so the search is a plain bisection). Containers inherit the same limit through
// conmon and runc, so their requested value is raised to that floor, as the kubelet does
// when it runs without the capability.

import { run } from '../../common/proc/run.js';

/** The lowest value the kernel accepts at all. */
export const unrestrictedOomScoreAdj = -1000;

export interface OomScoreAdjProbe {
  /** The lowest value a container may get here; -1000 when nothing restricts it. */
  floor: number;
  /** This process's own value when probed. */
  current: number;
}

const bisect = `
lo=-1000; hi=$(cat /proc/$$/oom_score_adj)
echo "current $hi"
while [ "$lo" -lt "$hi" ]; do
  mid=$(( (lo + hi + 2000) / 2 - 1000 ))
  if (echo "$mid" > /proc/$$/oom_score_adj) 2>/dev/null && [ "$(cat /proc/$$/oom_score_adj)" = "$mid" ]; then hi=$mid; else lo=$((mid + 1)); fi
done
echo "floor $hi"
`;

/** Probes this host; when the probe cannot run, no floor is assumed (runc reports what fails). */
export async function probeOomScoreAdjFloor(): Promise<OomScoreAdjProbe> {
  const r = await run('/bin/sh', ['-c', bisect], { timeoutMs: 10_000 });
  const current = /current (-?\d+)/.exec(r.stdout);
  const floor = /floor (-?\d+)/.exec(r.stdout);
  if (r.code !== 0 || !current || !floor) return { floor: unrestrictedOomScoreAdj, current: 0 };
  return { floor: Number(floor[1]), current: Number(current[1]) };
}

/** The value a container gets: what was asked for, raised to what the host allows. */
export function clampOomScoreAdj(requested: number, floor: number): number {
  return Math.min(1000, Math.max(requested, floor, unrestrictedOomScoreAdj));
}
