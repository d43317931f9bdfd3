// Running a stopped node agent's teardown (nodeagent/teardown.ts) for `gantry down` and
// `gantry leave`: inside the host's network namespace when it has one, bounded in time (a
// stuck unmount must not hang either command), its output kept in a log and handed to `out`.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { componentCommand } from '../../common/proc/components.js';
import { inHost, teardownArgs } from './node.js';
import type { NodeState } from './state.js';

const teardownTimeoutMs = 120_000;

/** Resolves to an error message (with the teardown's output) or undefined when it succeeded. */
export async function runTeardown(node: NodeState, logFile: string, out: (line: string) => void): Promise<string | undefined> {
  let cmd: { command: string; args: string[] };
  try {
    // Inside the host's namespace: the pods' bridge, overlay and rules live there.
    cmd = inHost(node, componentCommand('nodeagent/teardown'));
  } catch (e) {
    return `cannot run the node teardown: ${(e as Error).message}`;
  }
  return new Promise((resolve) => {
    const child = spawn(cmd.command, [...cmd.args, ...teardownArgs(node)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (d: Buffer): void => {
      output += d.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), teardownTimeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve(`cannot run the node teardown: ${e.message}`);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      for (const line of output.split('\n')) if (line.trim()) out(`  teardown: ${line}`);
      try {
        fs.mkdirSync(path.dirname(logFile), { recursive: true });
        fs.appendFileSync(logFile, output);
      } catch {
        // the log is a convenience
      }
      resolve(code === 0 ? undefined : `the node teardown failed (${signal ? `signal ${signal}` : `exit code ${code}`})`);
    });
  });
}
