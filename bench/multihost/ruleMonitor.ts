// When a host's service rules change, seen from the host's netfilter itself: one
// `xtables-monitor -e` per host network namespace prints every rule and chain the kernel
// commits (nf_tables sends the events after the transaction commits, so an event means the
// rule is live). From those events it keeps which DNAT destinations the proxy's
// GANTRY-SEP-* chains send to, with the time each appeared or went, and lets the benchmark
// await a destination's arrival or departure with no polling interval in the figure.

import { spawn, type ChildProcess } from 'node:child_process';
import { run } from '../../common/proc/run.js';

const ruleEvent = /-t nat -([AD]) (GANTRY-SEP-\S+) .*--to-destination (\S+)/;
const chainDeleted = /-t nat -X (GANTRY-SEP-\S+)/;

interface Waiter {
  dest: string;
  present: boolean;
  resolve: (at: number) => void;
}

export class HostRuleMonitor {
  /** DNAT destination -> the SEP chain holding it. */
  private readonly dests = new Map<string, string>();
  private readonly waiters = new Set<Waiter>();
  private child: ChildProcess | undefined;
  events = 0;

  private constructor(
    readonly host: string,
    readonly netnsPath: string,
  ) {}

  /** Starts the monitor, then reads the rules already there (iptables-save) as the start state. */
  static async start(host: string, netnsPath: string): Promise<HostRuleMonitor> {
    const m = new HostRuleMonitor(host, netnsPath);
    // stdbuf: xtables-monitor writes through stdio, block-buffered into a pipe.
    const child = spawn('nsenter', [`--net=${netnsPath}`, '--', 'stdbuf', '-oL', 'xtables-monitor', '-e'], { stdio: ['ignore', 'pipe', 'pipe'] });
    m.child = child;
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      const at = performance.now();
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        m.line(buf.slice(0, nl), at);
        buf = buf.slice(nl + 1);
      }
    });
    await new Promise((r) => setTimeout(r, 300)); // subscribed before the snapshot below
    if (child.exitCode !== null) throw new Error(`xtables-monitor in ${netnsPath} exited with ${child.exitCode}`);
    const save = await run('nsenter', [`--net=${netnsPath}`, '--', 'iptables-save', '-t', 'nat']);
    if (save.code !== 0) throw new Error(`iptables-save in ${netnsPath}: ${save.stderr}`);
    for (const l of save.stdout.split('\n')) {
      const r = /^-A (GANTRY-SEP-\S+) .*--to-destination (\S+)/.exec(l);
      if (r && !m.dests.has(r[2]!)) m.dests.set(r[2]!, r[1]!);
    }
    return m;
  }

  private line(text: string, at: number): void {
    const r = ruleEvent.exec(text);
    const x = r ? undefined : chainDeleted.exec(text);
    if (r) {
      this.events++;
      if (r[1] === 'A') this.dests.set(r[3]!, r[2]!);
      else if (this.dests.get(r[3]!) === r[2]) this.dests.delete(r[3]!);
    } else if (x) {
      this.events++;
      for (const [d, chain] of this.dests) if (chain === x[1]) this.dests.delete(d);
    } else return;
    for (const w of [...this.waiters]) {
      if (this.dests.has(w.dest) === w.present) {
        this.waiters.delete(w);
        w.resolve(at);
      }
    }
  }

  has(dest: string): boolean {
    return this.dests.has(dest);
  }

  /** Resolves with the time (performance.now()) the host's rules first had (or no longer had) `dest`. */
  until(dest: string, present: boolean, timeoutMs: number): Promise<number> {
    if (this.dests.has(dest) === present) return Promise.resolve(performance.now());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`${this.host}: DNAT to ${dest} did not ${present ? 'appear' : 'go'} within ${timeoutMs} ms`));
      }, timeoutMs);
      const w: Waiter = { dest, present, resolve: (at) => (clearTimeout(timer), resolve(at)) };
      this.waiters.add(w);
    });
  }

  /** Whether iptables-save agrees with what the events said about `dest` (a check of the method). */
  async confirm(dest: string): Promise<boolean> {
    const save = await run('nsenter', [`--net=${this.netnsPath}`, '--', 'iptables-save', '-t', 'nat']);
    return save.stdout.split('\n').some((l) => l.startsWith('-A GANTRY-SEP-') && l.includes(`--to-destination ${dest}`)) === this.dests.has(dest);
  }

  stop(): void {
    if (this.child && this.child.exitCode === null) this.child.kill('SIGTERM');
  }
}
