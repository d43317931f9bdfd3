// What the runtime remembers about each sandbox and container, one JSON file each, written
// atomically. Together with runc's state and conmon's exit files they are the whole truth:
// a new runtime instance over the same root rebuilds its view from them.

import fs from 'node:fs/promises';
import type { ContainerConfig, PodSandboxConfig } from '../cri/types.js';
import { readJsonFile, writeFileAtomic } from '../../common/atomicFile.js';
import type { CniAttachment } from './cni.js';
import { isId, type Layout } from './layout.js';

export const recordVersion = 1;

export interface SandboxRecord {
  kind: 'sandbox';
  version: typeof recordVersion;
  id: string;
  config: PodSandboxConfig;
  createdAt: number;
  /** 'ready' from creation until stopPodSandbox. */
  state: 'ready' | 'notready';
  /** Undefined when the pod uses the node's network. */
  netnsPath?: string;
  /** What CNI ADD returned; cleared once DEL released the address. */
  network?: CniAttachment;
  /** Pod-level cgroup (absolute within the hierarchy), parent of the pause's and the containers'. */
  podCgroup: string;
  cgroupsPath: string;
  pausePid?: number;
  shmPath?: string;
  etc: { hosts: string; resolvConf: string; hostname: string };
}

export type RecordedContainerState = 'created' | 'running' | 'exited';

export interface ContainerRecord {
  kind: 'container';
  version: typeof recordVersion;
  id: string;
  sandboxId: string;
  config: ContainerConfig;
  imageRef: string;
  createdAt: number;
  state: RecordedContainerState;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  reason?: string;
  message?: string;
  pid?: number;
  /** Absolute path of the CRI log file. */
  logPath: string;
  cgroupsPath: string;
}

function hasBase(v: unknown, kind: string): v is { kind: string; version: number; id: string } {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return r.kind === kind && r.version === recordVersion && typeof r.id === 'string' && isId(r.id);
}

export function isSandboxRecord(v: unknown): v is SandboxRecord {
  return hasBase(v, 'sandbox') && typeof (v as unknown as SandboxRecord).config === 'object' && typeof (v as unknown as SandboxRecord).podCgroup === 'string';
}

export function isContainerRecord(v: unknown): v is ContainerRecord {
  if (!hasBase(v, 'container')) return false;
  const r = v as unknown as ContainerRecord;
  return typeof r.sandboxId === 'string' && typeof r.config === 'object' && typeof r.logPath === 'string' && typeof r.cgroupsPath === 'string';
}

export class RecordStore {
  constructor(private readonly layout: Layout) {}

  async saveSandbox(r: SandboxRecord): Promise<void> {
    await fs.mkdir(this.layout.sandboxDir(r.id), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.layout.sandboxRecord(r.id), JSON.stringify(r, null, 1));
  }

  async saveContainer(r: ContainerRecord): Promise<void> {
    await fs.mkdir(this.layout.containerDir(r.id), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.layout.containerRecord(r.id), JSON.stringify(r, null, 1));
  }

  /** Valid records, and the directory names that have no valid record (for the orphan scan). */
  async loadSandboxes(): Promise<{ records: SandboxRecord[]; unowned: string[] }> {
    return this.loadAll(this.layout.sandboxesDir, (id) => this.layout.sandboxRecord(id), isSandboxRecord);
  }

  async loadContainers(): Promise<{ records: ContainerRecord[]; unowned: string[] }> {
    return this.loadAll(this.layout.containersDir, (id) => this.layout.containerRecord(id), isContainerRecord);
  }

  private async loadAll<T extends { id: string }>(dir: string, file: (id: string) => string, valid: (v: unknown) => v is T): Promise<{ records: T[]; unowned: string[] }> {
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    const records: T[] = [];
    const unowned: string[] = [];
    for (const name of names) {
      if (!isId(name)) {
        unowned.push(name);
        continue;
      }
      let v: unknown;
      try {
        v = await readJsonFile(file(name));
      } catch {
        v = undefined;
      }
      if (valid(v) && v.id === name) records.push(v);
      else unowned.push(name);
    }
    return { records, unowned };
  }
}
