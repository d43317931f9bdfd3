// The state the runtime's operations share: its configuration, the tools it drives, the
// records it holds in memory (mirrors of the files on disk) and the per-id locks.

import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logging.js';
import type { Cgroups } from './cgroups.js';
import type { CniNetwork } from './cni.js';
import type { ResolvedRuntimeOptions } from './config.js';
import type { KeyedLock } from './keyedLock.js';
import type { Layout } from './layout.js';
import type { ContainerRecord, RecordStore, SandboxRecord } from './records.js';
import type { Runc } from './runc.js';

export interface RuntimeContext {
  opts: ResolvedRuntimeOptions;
  layout: Layout;
  store: RecordStore;
  runc: Runc;
  cgroups: Cgroups;
  cni: CniNetwork;
  log: Logger;
  clock: Clock;
  sandboxes: Map<string, SandboxRecord>;
  containers: Map<string, ContainerRecord>;
  locks: KeyedLock;
  /** `<sandbox>/<name>/<attempt>` of containers being created, so two creates cannot take one name. */
  reservedNames: Set<string>;
  /** The capabilities a privileged container gets (this process's bounding set). */
  boundingSet: readonly string[];
  /** The lowest oom_score_adj this host lets a container have; requests below are raised to it. */
  oomScoreAdjFloor: number;
}
