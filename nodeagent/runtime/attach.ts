// Attaching to a container's own stdio through conmon, as CRI-O does (kubectl attach, run -it).
//
// conmon serves a SOCK_SEQPACKET unix socket, `attach`, in the bundle (reached through the
// short symlink <socket dir>/<id>). Every packet it sends is one chunk of output behind a
// stream byte (2 stdout, 3 stderr; a container with a terminal sends everything as stdout);
// what a client sends is copied to the container's stdin pipe as is (only when conmon was
// started with -i). A client's shutdown(SHUT_WR) is its stdin EOF: conmon then closes the
// container's stdin, unless it runs with --leave-stdin-open (Kubernetes' stdinOnce=false).
// When the container exits conmon sends the rest of its output and closes the socket.
// Node's net module cannot open SEQPACKET sockets; node-unix-socket (a N-API addon) can,
// and keeps the packet boundaries the stream byte depends on.
//
// Resizing writes `1 <rows> <cols>` to conmon's control fifo `ctl` in the bundle.
//
// One case stays off the socket: conmon takes any attach connection's end for the end of
// input, so an output-only attachment to a stdinOnce container would close its stdin when it
// detaches, although Kubernetes closes it only after a client attached *to stdin* leaves.
// Such an attachment follows the container's log instead (same streams, same bytes).

import fs from 'node:fs/promises';
import { constants as fsc } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import { once } from 'node:events';
import { SeqpacketSocket } from 'node-unix-socket';
import type { AttachRequest, AttachSession } from '../cri/types.js';
import { readLogs } from './logs/readLogs.js';

/** conmon reads stdin packets into a buffer of this size at least; a longer packet would be cut. */
const stdinPacketBytes = 8192;
/** Output waiting for a slow reader beyond this is dropped (the log file keeps it all). */
const maxBufferedOutputBytes = 4 * 1024 * 1024;

const streamStdout = 2;
const streamStderr = 3;

export interface AttachTarget {
  /** The attach socket (through the short symlink, unix socket paths are limited to 107 bytes). */
  socketPath: string;
  /** conmon's control fifo. */
  controlFifo: string;
  /** The container was created with a stdin pipe. */
  stdin: boolean;
  /** The container has a terminal. */
  tty: boolean;
}

export class AttachError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AttachError';
  }
}

function connect(socketPath: string): Promise<SeqpacketSocket> {
  return new Promise((resolve, reject) => {
    const sock = new SeqpacketSocket();
    // Never unhandled, even between the connect and the caller's own listeners.
    sock.on('error', () => undefined);
    const onError = (e: Error): void => reject(new AttachError(`cannot attach: ${e.message}`, { cause: e }));
    sock.once('error', onError);
    try {
      sock.connect(socketPath, () => {
        sock.off('error', onError);
        resolve(sock);
      });
    } catch (e) {
      reject(new AttachError(`cannot attach: ${(e as Error).message}`, { cause: e }));
    }
  });
}

/** Output readable by the client; what does not fit under the cap is dropped. */
function outputStream(): PassThrough {
  return new PassThrough({ highWaterMark: 64 * 1024 });
}

function push(out: PassThrough | undefined, data: Buffer): void {
  if (!out || out.writableEnded || out.destroyed) return;
  if (out.readableLength + out.writableLength > maxBufferedOutputBytes) return;
  out.write(data);
}

export async function attachToConmon(target: AttachTarget, req: AttachRequest): Promise<AttachSession> {
  const sock = await connect(target.socketPath);
  const stdout = req.stdout ? outputStream() : undefined;
  // A terminal has one output; a stderr stream would never carry anything.
  const stderr = req.stderr && !target.tty ? outputStream() : undefined;
  let finished = false;
  let resolveEnded!: () => void;
  const ended = new Promise<void>((r) => (resolveEnded = r));
  const finish = (): void => {
    if (finished) return;
    finished = true;
    stdout?.end();
    stderr?.end();
    stdin?.destroy();
    resolveEnded();
  };

  sock.on('data', (packet: Buffer) => {
    if (packet.length < 2) return;
    const body = packet.subarray(1);
    if (packet[0] === streamStdout) push(stdout, body);
    else if (packet[0] === streamStderr) push(stderr, body);
  });
  sock.on('end', () => {
    sock.destroy();
    finish();
  });
  sock.on('close', finish);
  sock.on('error', () => finish());

  let stdin: Writable | undefined;
  if (req.stdin && target.stdin) {
    stdin = new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _enc, done): void {
        if (finished) {
          done();
          return;
        }
        // Packets conmon can read whole; the last one's write callback releases the chunk.
        for (let off = 0; off < chunk.length; off += stdinPacketBytes) {
          const len = Math.min(stdinPacketBytes, chunk.length - off);
          const last = off + len >= chunk.length;
          try {
            sock.write(chunk, off, len, last ? () => done() : undefined);
          } catch (e) {
            done(e as Error);
            return;
          }
        }
        if (chunk.length === 0) done();
      },
      final(done): void {
        // stdin EOF: a half-close; output keeps coming.
        if (!finished) {
          try {
            sock.end();
          } catch {
            // the socket is already gone
          }
        }
        done();
      },
    });
    // A write after the container went away is not the client's problem.
    stdin.on('error', () => undefined);
  }

  const session: AttachSession = {
    ended,
    resize(width: number, height: number): void {
      if (!target.tty || finished) return;
      const rows = Math.max(1, Math.floor(height));
      const cols = Math.max(1, Math.floor(width));
      // Non-blocking: if conmon is gone there is no reader, and open fails instead of hanging.
      void fs
        .open(target.controlFifo, fsc.O_WRONLY | fsc.O_NONBLOCK)
        .then(async (fh) => {
          try {
            await fh.write(`1 ${rows} ${cols}\n`);
          } finally {
            await fh.close();
          }
        })
        .catch(() => undefined);
    },
    close(): void {
      // Detach only: the socket goes, conmon keeps the container (and, with
      // --leave-stdin-open, its stdin) as they are.
      try {
        sock.destroy();
      } catch {
        // already closed
      }
      finish();
    },
  };
  if (stdin) session.stdin = stdin;
  if (stdout) session.stdout = stdout;
  if (stderr) session.stderr = stderr;
  return session;
}

export interface LogAttachTarget {
  /** The container's CRI log file. */
  logPath: string;
  /** Whether the container still runs: when it stops, the rest of the log is sent and the attachment ends. */
  running: () => Promise<boolean>;
  pollIntervalMs?: number;
}

/** Whether an attachment must not touch conmon's socket (see the top of the file). */
export function mustAttachThroughLog(container: { stdin: boolean; stdinOnce: boolean; tty: boolean }, req: AttachRequest): boolean {
  return container.stdin && container.stdinOnce && !container.tty && !req.stdin;
}

/** An output-only attachment that follows the log from its current end. */
export function attachToLog(target: LogAttachTarget, req: AttachRequest): AttachSession {
  const abort = new AbortController();
  const follow = async (stream: 'stdout' | 'stderr', out: PassThrough): Promise<void> => {
    try {
      await readLogs(
        target.logPath,
        { stream, tail: 0, follow: true, signal: abort.signal, keepFollowing: () => (abort.signal.aborted ? Promise.resolve(false) : target.running()), ...(target.pollIntervalMs ? { pollIntervalMs: target.pollIntervalMs } : {}) },
        async (chunk) => {
          // The file keeps everything, so a slow reader is simply waited for.
          if (!out.write(chunk) && !abort.signal.aborted) await Promise.race([once(out, 'drain'), once(abort.signal, 'abort')]);
        },
      );
    } catch {
      // The log went away with the container.
    } finally {
      out.end();
    }
  };
  const stdout = req.stdout ? outputStream() : undefined;
  const stderr = req.stderr ? outputStream() : undefined;
  const ended = Promise.all([stdout ? follow('stdout', stdout) : undefined, stderr ? follow('stderr', stderr) : undefined]).then(() => undefined);
  const session: AttachSession = {
    ended,
    resize(): void {
      // No terminal: this path serves containers without one.
    },
    close(): void {
      abort.abort();
    },
  };
  if (stdout) session.stdout = stdout;
  if (stderr) session.stderr = stderr;
  return session;
}
