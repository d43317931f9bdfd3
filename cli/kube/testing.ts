// Running the kube commands in-process as a user types them, with their output captured:
// the same commander wiring as cli/main.ts, an environment of the test's choosing.

import { Command } from 'commander';
import { registerKubeCommands } from './commands.js';
import type { KubeIO } from './io.js';

export interface GantryResult {
  code: number;
  stdout: string;
  stderr: string;
}

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** `onOut` sees standard output as it is written, for tests that act when a command reaches a point. */
export async function runGantry(args: string[], o: { env: NodeJS.ProcessEnv; stdin?: string; isTTY?: boolean; errIsTTY?: boolean; onOut?: (soFar: string) => void }): Promise<GantryResult> {
  let stdout = '';
  let stderr = '';
  const io: KubeIO & { exit: (code: number) => never } = {
    out: (t) => {
      stdout += t;
      o.onOut?.(stdout);
    },
    err: (t) => void (stderr += t),
    readStdin: async () => o.stdin ?? '',
    isTTY: o.isTTY ?? false,
    errIsTTY: o.errIsTTY ?? false,
    env: o.env,
    exitCode: 0,
    exit: (code) => {
      throw new Exit(code);
    },
  };
  const program = new Command().name('gantry').exitOverride();
  registerKubeCommands(program, io);
  try {
    await program.parseAsync(['node', 'gantry', ...args]);
  } catch (e) {
    if (e instanceof Exit) return { code: e.code, stdout, stderr };
    throw e;
  }
  return { code: io.exitCode, stdout, stderr };
}
