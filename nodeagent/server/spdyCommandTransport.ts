// exec and attach over SPDY (what kubectl 1.27-1.29 speak, and what newer ones fall back to):
// the client opens one stream per role, named by its `streamtype` header (error, stdin,
// stdout, stderr, resize), before anything runs. v4 ends with the Status as JSON on the error
// stream; v2/v3 write only a failure's message there. Resizes are a stream of JSON objects.

import type { Logger } from '../../common/logging.js';
import { BadRequestError } from '../../common/errors.js';
import type { CommandInputHandlers, CommandTransport } from './commandBridge.js';
import { parseResize, type ExitStatus } from './execProtocol.js';
import { RstStatus } from './spdy/frames.js';
import type { SpdySession, SpdyStream } from './spdy/session.js';

/** Newest first: the X-Stream-Protocol-Version values served over SPDY for exec and attach. */
export const spdyCommandProtocols = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io'] as const;
export type SpdyCommandProtocol = (typeof spdyCommandProtocols)[number];

type Role = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';
const roles: readonly Role[] = ['error', 'stdin', 'stdout', 'stderr', 'resize'];

/** A resize stream is a few small JSON objects; more than this unparsed means it is not one. */
const maxResizeBuffer = 4096;

export interface ExpectedStreams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export class SpdyCommandTransport implements CommandTransport {
  private readonly streams = new Map<Role, SpdyStream>();
  private readonly expected: Set<Role>;

  constructor(
    private readonly session: SpdySession,
    private readonly protocol: SpdyCommandProtocol,
    want: ExpectedStreams,
    private readonly log: Logger,
  ) {
    this.expected = new Set<Role>(['error']);
    if (want.stdin) this.expected.add('stdin');
    if (want.stdout) this.expected.add('stdout');
    if (want.stderr && !want.tty) this.expected.add('stderr');
    if (want.tty && protocol !== 'v2.channel.k8s.io') this.expected.add('resize');
  }

  /** Waits until the client opened every stream the request asked for. */
  ready(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new BadRequestError(`timed out waiting for the client's streams (have ${[...this.streams.keys()].join(', ') || 'none'}; want ${[...this.expected].join(', ')})`));
      }, timeoutMs);
      timer.unref();
      const onClose = (): void => {
        cleanup();
        reject(new Error('the client closed the connection before opening its streams'));
      };
      const onStream = (s: SpdyStream): void => {
        const role = s.header('streamtype') as Role | undefined;
        if (!role || !roles.includes(role) || !this.expected.has(role) || this.streams.has(role)) {
          this.log.debug('refusing an unexpected stream', { streamType: role, streamId: s.id });
          s.resetStream(RstStatus.refusedStream);
          return;
        }
        this.streams.set(role, s);
        if (this.streams.size === this.expected.size) {
          cleanup();
          resolve();
        }
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        this.session.off('stream', onStream);
        this.session.off('close', onClose);
      };
      this.session.on('stream', onStream);
      this.session.on('close', onClose);
    });
  }

  start(h: CommandInputHandlers): void {
    // Streams the client opens after the set is complete have no role.
    this.session.on('stream', (s) => s.resetStream(RstStatus.refusedStream));
    const stdin = this.streams.get('stdin');
    if (stdin) {
      stdin.on('data', (c: Buffer) => h.stdin(c));
      stdin.on('end', () => h.stdinEnd());
    }
    const resize = this.streams.get('resize');
    if (resize) {
      let buffered = '';
      resize.on('data', (c: Buffer) => {
        buffered += c.toString('utf8');
        // kubectl's Go json.Encoder ends each object with a newline.
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line === '') continue;
          const size = parseResize(Buffer.from(line));
          if (size) h.resize(size.width, size.height);
          else this.log.debug('ignoring a malformed resize message');
        }
        if (buffered.length > maxResizeBuffer) {
          this.log.debug('resetting a resize stream that sends no JSON lines');
          buffered = '';
          resize.resetStream(RstStatus.protocolError);
        }
      });
    }
    // Streams the client only reads from still deliver its FIN; keep them flowing.
    for (const role of ['error', 'stdout', 'stderr'] as const) this.streams.get(role)?.resume();
    this.session.on('close', () => h.gone());
    if (this.session.isClosed) setImmediate(() => h.gone());
  }

  sendOutput(stream: 'stdout' | 'stderr', data: Buffer, flushed: () => void): void {
    const s = this.streams.get(stream);
    if (!s || s.reset || s.writableEnded) return flushed();
    s.write(data, () => flushed());
  }

  pauseInput(): void {
    this.streams.get('stdin')?.pause();
  }

  resumeInput(): void {
    this.streams.get('stdin')?.resume();
  }

  finish(status: ExitStatus): void {
    const error = this.streams.get('error');
    if (error && !error.reset) {
      if (this.protocol === 'v4.channel.k8s.io') error.write(JSON.stringify(status));
      else if (status.status !== 'Success') error.write(status.message ?? 'error executing command');
    }
    // Every stream's FIN goes out (after what was written to it) before GOAWAY ends the session.
    const fins = [...this.streams.values()].filter((s) => !s.reset).map((s) => new Promise<void>((resolve) => s.end(() => resolve())));
    void Promise.all(fins).then(() => this.session.close());
  }
}

/** Our choice among the X-Stream-Protocol-Version values the client offered (repeated or comma-joined). */
export function chooseStreamProtocol<T extends string>(header: string | string[] | undefined, supported: readonly T[]): T | undefined {
  const offered = new Set((Array.isArray(header) ? header : [header ?? '']).flatMap((h) => h.split(',')).map((s) => s.trim()));
  return supported.find((p) => offered.has(p));
}
