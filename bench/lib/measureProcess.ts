// Runs a component's measuring process (bench/ talks to components only from outside) and
// returns the JSON line it ends its stdout with; its progress goes to our stderr.
//
// The child runs in a process group of its own, so a Ctrl-C on the terminal reaches only
// this process, which then passes exactly one SIGINT on and waits for the child to clean up
// and exit: a child that got the terminal's signal and ours too could be killed by the
// second one halfway through its cleanup. Its stdin is a pipe from us, which closes if we
// die, for children that can notice that. A child whose own interrupt handling cannot be
// trusted to leave nothing behind is run with `onInterrupt: 'wait'`: it is not signalled,
// its normal end (and cleanup) is awaited instead.

import { spawn, type ChildProcess } from 'node:child_process';
import { componentCommand } from '../../common/proc/components.js';

export class MeasureProcess {
  private child: ChildProcess | undefined;
  private childOnInterrupt: 'signal' | 'wait' = 'signal';
  private interrupted = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly label: string) {}

  async run<T>(relativeMain: string, args: string[], opts: { onInterrupt?: 'signal' | 'wait' } = {}): Promise<T> {
    if (this.interrupted) throw new Error(`${this.label}: interrupted`);
    const cmd = componentCommand(relativeMain);
    const child = spawn(cmd.command, [...cmd.args, ...args], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
    this.child = child;
    this.childOnInterrupt = opts.onInterrupt ?? 'signal';
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    this.child = undefined;
    if (this.interrupted) throw new Error(`${this.label}: interrupted`);
    if (code !== 0) throw new Error(`${this.label}: ${relativeMain} exited with ${String(code)}`);
    const last = out.trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(last) as T;
    } catch {
      throw new Error(`${this.label}: ${relativeMain} printed no JSON result`);
    }
  }

  /** Passes one SIGINT to the running child (or, for `wait`, none) and resolves once it has exited. */
  interrupt(): Promise<void> {
    this.interrupted = true;
    this.stopping ??= (async () => {
      const c = this.child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise<void>((r) => c.once('close', () => r()));
      if (this.childOnInterrupt === 'signal') c.kill('SIGINT');
      await gone;
    })();
    return this.stopping;
  }
}
