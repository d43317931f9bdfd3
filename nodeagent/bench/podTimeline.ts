// Where a pod's start-up time goes, read after the fact from what the runtime left on disk
// under the agent's root: its records carry millisecond stamps (sandbox and container
// creation began, container started), and the files written at known steps carry the
// kernel's modification times (CNI done: the sandbox's etc/hostname, written right after
// CNI ADD returns; pause created: its container.pid; sandbox ready: the last save of
// sandbox.json; container spec written: bundle/config.json; container created: its
// container.pid). No instrumentation in the agent, so nothing here slows it down.
// File times come from the kernel's coarse clock (a few ms of granularity).

import fs from 'node:fs/promises';
import path from 'node:path';
import { Layout } from '../runtime/layout.js';
import { RecordStore } from '../runtime/records.js';

/** Wall-clock milliseconds of each step the runtime's files show, for one pod's first sandbox and container. */
export interface RuntimeMarks {
  sandboxBeganMs: number;
  cniDoneMs?: number;
  pauseCreatedMs?: number;
  sandboxReadyMs?: number;
  containerBeganMs?: number;
  containerSpecMs?: number;
  containerCreatedMs?: number;
  containerStartedMs?: number;
}

async function mtime(file: string): Promise<number | undefined> {
  try {
    return (await fs.stat(file)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Reads the marks of every pod (by uid) that has a sandbox under `runtimeRoot`. */
export async function readRuntimeMarks(runtimeRoot: string): Promise<Map<string, RuntimeMarks>> {
  const layout = new Layout(runtimeRoot);
  const store = new RecordStore(layout);
  const [{ records: sandboxes }, { records: containers }] = await Promise.all([store.loadSandboxes(), store.loadContainers()]);
  const out = new Map<string, RuntimeMarks>();
  for (const s of sandboxes) {
    const uid = s.config.metadata.uid;
    const prior = out.get(uid);
    // The first sandbox of the pod is the one its start-up made.
    if (prior && prior.sandboxBeganMs <= s.createdAt) continue;
    const first = containers.filter((c) => c.sandboxId === s.id).sort((a, b) => a.createdAt - b.createdAt)[0];
    const m: RuntimeMarks = { sandboxBeganMs: s.createdAt };
    const set = (k: keyof RuntimeMarks, v: number | undefined): void => {
      if (v !== undefined) m[k] = v;
    };
    set('cniDoneMs', await mtime(path.join(layout.sandboxEtc(s.id), 'hostname')));
    set('pauseCreatedMs', await mtime(path.join(layout.sandboxPersist(s.id), 'container.pid')));
    set('sandboxReadyMs', await mtime(layout.sandboxRecord(s.id)));
    if (first) {
      set('containerBeganMs', first.createdAt);
      set('containerSpecMs', await mtime(path.join(layout.containerBundle(first.id), 'config.json')));
      set('containerCreatedMs', await mtime(path.join(layout.containerPersist(first.id), 'container.pid')));
      set('containerStartedMs', first.startedAt);
    }
    out.set(uid, m);
  }
  return out;
}

/** The client-side times of one pod, on the same wall clock. */
export interface ClientMarks {
  createSentMs: number;
  runningSeenMs: number;
}

/** The segments of one pod start, in order; each is the gap between two consecutive marks. */
export const segmentNames = [
  // The create request and its watch delivery to the agent, the pod worker, volumes: until the
  // sandbox began. Not split at the client's answer: the agent's watch event and the client's
  // answer leave the API server together, and the agent often starts before the answer lands.
  'api_and_agent_pickup',
  'sandbox_netns_cni', // sandbox dirs and record, netns, CNI ADD
  'sandbox_pause_create', // etc files, shm, pause spec, conmon + runc create of the pause
  'sandbox_pause_start', // runc start of the pause, sandbox record saved
  'image_check_and_config', // sandbox status, runtime re-read, image status, container config, image resolve
  'container_rootfs_spec', // overlay mount, OCI spec written
  'container_create', // conmon + runc create
  'container_start', // runc start, record saved
  'status_write_and_watch', // status computed and written, watch delivery to the client
] as const;

export type SegmentName = (typeof segmentNames)[number];

/** Splits one pod's start into segments; undefined when a mark is missing (the split would lie). */
export function splitStart(c: ClientMarks, r: RuntimeMarks | undefined): Record<SegmentName, number> | undefined {
  if (!r) return undefined;
  const marks = [c.createSentMs, r.sandboxBeganMs, r.cniDoneMs, r.pauseCreatedMs, r.sandboxReadyMs, r.containerBeganMs, r.containerSpecMs, r.containerCreatedMs, r.containerStartedMs, c.runningSeenMs];
  if (marks.some((m) => m === undefined)) return undefined;
  const out = {} as Record<SegmentName, number>;
  segmentNames.forEach((name, i) => {
    out[name] = marks[i + 1]! - marks[i]!;
  });
  return out;
}
