// `gantry down`: stops what `up` started (by recorded PID) and removes $GANTRY_HOME.

import fs from 'node:fs';
import { stopPid } from '../../common/proc/pids.js';
import { readState, statePath } from './state.js';

export async function down(home: string, out: (line: string) => void): Promise<void> {
  const state = readState(home);
  if (!state) {
    out(`no cluster recorded in ${home}`);
    return;
  }
  // Stop in reverse start order: clients before the store they use.
  for (const p of [...state.processes].reverse()) {
    out(`stopping ${p.name} (pid ${p.pid})`);
    await stopPid(p.pid, p.marker);
  }
  // Only a directory that holds our state file is ours to remove.
  if (fs.existsSync(statePath(home))) fs.rmSync(home, { recursive: true, force: true });
  out(`removed ${home}`);
}
