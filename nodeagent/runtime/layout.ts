// Where everything of the runtime lives under its root directory. One place, so that
// creation, removal and the orphan scan agree on the paths.
//
//   <root>/sandboxes/<id>/   sandbox.json, bundle/ (pause spec), etc/ (hosts, hostname,
//                            resolv.conf), shm/ (tmpfs), persist/ (conmon's exit, oom)
//   <root>/containers/<id>/  container.json, bundle/config.json, bundle/rootfs (overlay),
//                            upper/, work/, persist/, termination-log
//   <root>/exits/<id>        conmon's exit files (containers and pause processes)
//   <root>/netns/<id>        pinned network namespaces
//   <root>/runc/             runc's state root
//   <root>/cni/              host-local IPAM allocations
//   <root>/s/                conmon's attach sockets (kept short: unix socket paths are limited)
//   <root>/pause/rootfs/     the pause process's root filesystem
//   <root>/exec/             pid files of running execs

import { randomBytes } from 'node:crypto';
import path from 'node:path';

const idPattern = /^[0-9a-f]{32}$/;

export function newId(): string {
  return randomBytes(16).toString('hex');
}

/** Ids become path components: only our own format is accepted. */
export function isId(s: string): boolean {
  return idPattern.test(s);
}

export class Layout {
  constructor(readonly root: string) {}

  get sandboxesDir(): string {
    return path.join(this.root, 'sandboxes');
  }
  get containersDir(): string {
    return path.join(this.root, 'containers');
  }
  get exitDir(): string {
    return path.join(this.root, 'exits');
  }
  get netnsDir(): string {
    return path.join(this.root, 'netns');
  }
  get runcRoot(): string {
    return path.join(this.root, 'runc');
  }
  get ipamDir(): string {
    return path.join(this.root, 'cni');
  }
  get socketDir(): string {
    return path.join(this.root, 's');
  }
  get pauseRootfs(): string {
    return path.join(this.root, 'pause', 'rootfs');
  }
  get execDir(): string {
    return path.join(this.root, 'exec');
  }

  sandboxDir(id: string): string {
    if (!isId(id)) throw new Error(`invalid sandbox id ${JSON.stringify(id)}`);
    return path.join(this.sandboxesDir, id);
  }
  sandboxRecord(id: string): string {
    return path.join(this.sandboxDir(id), 'sandbox.json');
  }
  sandboxBundle(id: string): string {
    return path.join(this.sandboxDir(id), 'bundle');
  }
  sandboxEtc(id: string): string {
    return path.join(this.sandboxDir(id), 'etc');
  }
  sandboxShm(id: string): string {
    return path.join(this.sandboxDir(id), 'shm');
  }
  sandboxPersist(id: string): string {
    return path.join(this.sandboxDir(id), 'persist');
  }
  netns(id: string): string {
    if (!isId(id)) throw new Error(`invalid sandbox id ${JSON.stringify(id)}`);
    return path.join(this.netnsDir, id);
  }

  containerDir(id: string): string {
    if (!isId(id)) throw new Error(`invalid container id ${JSON.stringify(id)}`);
    return path.join(this.containersDir, id);
  }
  containerRecord(id: string): string {
    return path.join(this.containerDir(id), 'container.json');
  }
  containerBundle(id: string): string {
    return path.join(this.containerDir(id), 'bundle');
  }
  containerRootfs(id: string): string {
    return path.join(this.containerBundle(id), 'rootfs');
  }
  containerUpper(id: string): string {
    return path.join(this.containerDir(id), 'upper');
  }
  containerWork(id: string): string {
    return path.join(this.containerDir(id), 'work');
  }
  containerPersist(id: string): string {
    return path.join(this.containerDir(id), 'persist');
  }
  terminationLog(id: string): string {
    return path.join(this.containerDir(id), 'termination-log');
  }
  exitFile(id: string): string {
    return path.join(this.exitDir, id);
  }
}
