// `gantry supervise --log FILE -- command args...`: keeps one component running, as
// systemd would on a real host: restarts it when it exits (components exit on purpose,
// e.g. a scheduler that lost its lease), with back-off, and stops it on SIGTERM.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

/** How long a component has to exit after SIGTERM before it is killed. */
const killAfterMs = 20_000;

export async function supervise(command: string, args: string[], logFile: string): Promise<void> {
  let child: ChildProcess | undefined;
  let stopping = false;
  let backoffMs = 500;
  const log = (line: string): void => fs.appendFileSync(logFile, `${new Date().toISOString()} supervisor: ${line}\n`);
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      // Bounded, so whoever stops us (gantry down) sees us gone with the component.
      setTimeout(() => {
        log(`component did not exit within ${killAfterMs} ms of SIGTERM; killing it`);
        child?.kill('SIGKILL');
      }, killAfterMs).unref();
    } else process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  for (;;) {
    const fd = fs.openSync(logFile, 'a');
    const started = Date.now();
    child = spawn(command, args, { stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    const code = await new Promise<number | null>((resolve) => {
      child!.once('exit', (c) => resolve(c));
      child!.once('error', (e) => {
        log(`cannot start ${command}: ${e.message}`);
        resolve(127);
      });
    });
    if (stopping) process.exit(0);
    // A component that ran a while before exiting starts again quickly; a crash loop backs off.
    backoffMs = Date.now() - started > 60_000 ? 500 : Math.min(backoffMs * 2, 10_000);
    log(`component exited with code ${code}; restarting in ${backoffMs} ms`);
    await new Promise((r) => setTimeout(r, backoffMs));
    if (stopping) process.exit(0);
  }
}
