// Attach and port-forward on a simulated node, in the conformance vocabulary's terms.
//
// Attach: a container runs its program without a process, so the only live output is what
// its stdin makes: `cat` created with stdin copies what an attached client sends to every
// attached client's stdout and to its log (with a terminal, the terminal's echo and CR LF
// come too, as a pty in its default mode gives them), and exits when its stdin ends, which
// happens when a client ends its input and the container has stdinOnce. Output written at
// the start was written before anyone could attach, as with a real container. Attachments
// end when the container exits; close() detaches only.
//
// Port-forward: a running container of the pod serving `nc -ll -p N -e cat` echoes each
// connection to port N until the client ends its side; any other port is refused.

import { Duplex, PassThrough, Writable } from 'node:stream';
import { PortForwardError } from '../cri/portForwardError.js';
import type { AttachRequest, AttachSession } from '../cri/types.js';
import type { SimulatedHost } from './host.js';
import type { SimulatedContainerRecord, SimulatedSandboxRecord } from './records.js';
import { writeContainerLog } from './logWriter.js';

function toTerminal(b: Buffer): Buffer {
  return Buffer.from(b.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

interface Attachment {
  stdout?: PassThrough;
  finish(): void;
}

/** Live attachments per container; empty (no entry) for containers nobody is attached to. */
const attachments = new WeakMap<SimulatedHost, Map<string, Set<Attachment>>>();

function attachedTo(host: SimulatedHost, id: string): Set<Attachment> {
  let byId = attachments.get(host);
  if (!byId) attachments.set(host, (byId = new Map()));
  let set = byId.get(id);
  if (!set) byId.set(id, (set = new Set()));
  return set;
}

function detach(host: SimulatedHost, id: string, a: Attachment): void {
  const byId = attachments.get(host);
  const set = byId?.get(id);
  set?.delete(a);
  if (set?.size === 0) byId!.delete(id);
}

/** What `cat` with an attached stdin does with a chunk of input. */
function copyInput(host: SimulatedHost, c: SimulatedContainerRecord, chunk: Buffer): void {
  const tty = c.config.tty === true;
  // A terminal echoes the input, then shows cat's copy of it; both with CR LF.
  const shown = tty ? Buffer.concat([toTerminal(chunk), toTerminal(chunk)]) : chunk;
  for (const a of attachedTo(host, c.id)) {
    if (a.stdout && !a.stdout.writableEnded) a.stdout.write(shown);
  }
  // Appends in the order the input came.
  const text = (tty ? toTerminal(chunk) : chunk).toString('utf8');
  const at = new Date(host.clock.now());
  const next = (logWrites.get(c) ?? Promise.resolve()).then(() => writeContainerLog(c.logPath, [{ stream: 'stdout', text }], at)).catch(() => undefined);
  logWrites.set(c, next);
}

/** The last log append of each container, so appends stay in order. */
const logWrites = new WeakMap<SimulatedContainerRecord, Promise<void>>();

/** Whether a started container runs until its stdin ends (cat with a stdin pipe). */
export function waitsForStdin(c: SimulatedContainerRecord): boolean {
  return c.program.copiesStdin === true && c.config.stdin === true;
}

export function simulatedAttach(host: SimulatedHost, c: SimulatedContainerRecord, req: AttachRequest): AttachSession {
  const tty = c.config.tty === true;
  const stdout = req.stdout ? new PassThrough() : undefined;
  const stderr = req.stderr && !tty ? new PassThrough() : undefined;
  let finished = false;
  let resolveEnded!: () => void;
  const ended = new Promise<void>((r) => (resolveEnded = r));
  let unwatch = (): void => undefined;
  const attachment: Attachment = {
    finish(): void {
      if (finished) return;
      finished = true;
      unwatch();
      detach(host, c.id, attachment);
      stdout?.end();
      stderr?.end();
      stdin?.destroy();
      resolveEnded();
    },
  };
  if (stdout) attachment.stdout = stdout;
  attachedTo(host, c.id).add(attachment);
  unwatch = host.onExit(c.id, () => attachment.finish());

  // The end of a client's input ends the container's stdin only with stdinOnce; a terminal's
  // stdin has no end to pass on. cat then exits.
  const endInput = (): void => {
    host.refresh(c);
    if (c.state === 'running' && c.config.stdinOnce === true && !tty && c.program.copiesStdin) host.markExited(c, 0, host.clock.now());
  };
  let stdin: Writable | undefined;
  if (req.stdin && c.config.stdin === true) {
    stdin = new Writable({
      write(chunk: Buffer, _enc, done): void {
        host.refresh(c);
        if (!finished && c.state === 'running' && c.program.copiesStdin) copyInput(host, c, chunk);
        done();
      },
      final(done): void {
        endInput();
        done();
      },
    });
    stdin.on('error', () => undefined);
  }

  const session: AttachSession = {
    ended,
    resize(): void {
      // Nothing draws on a simulated terminal.
    },
    close(): void {
      // A client that goes away ends a stdinOnce container's input as if it had ended it.
      if (stdin && !finished) endInput();
      attachment.finish();
    },
  };
  if (stdin) session.stdin = stdin;
  if (stdout) session.stdout = stdout;
  if (stderr) session.stderr = stderr;
  return session;
}

/** One connection to an echo service: what is written comes back; the end of input ends it. */
function echoConnection(): Duplex {
  const d: Duplex = new Duplex({
    allowHalfOpen: true,
    read(): void {
      // Data is pushed as it is written.
    },
    write(chunk: Buffer, _enc, done): void {
      d.push(chunk);
      done();
    },
    final(done): void {
      d.push(null);
      done();
    },
  });
  return d;
}

export function simulatedPortForward(host: SimulatedHost, s: SimulatedSandboxRecord, port: number): Duplex {
  for (const id of s.containerIds) {
    const c = host.containers.get(id);
    if (!c) continue;
    host.refresh(c);
    if (c.state === 'running' && c.program.echoesOnPort === port) {
      const conn = echoConnection();
      // The server's end goes with its process.
      const unwatch = host.onExit(id, () => conn.destroy());
      conn.on('close', unwatch);
      return conn;
    }
  }
  throw new PortForwardError(s.id, port, 'refused', 'connect: connection refused');
}
