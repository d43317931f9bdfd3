// exec and attach over a websocket (v5/v4.channel.k8s.io): channel-prefixed binary messages
// both ways, pings to notice a client that vanished, and the final Status on the error
// channel followed by a normal close.

import { WebSocket, type RawData } from 'ws';
import type { Logger } from '../../common/logging.js';
import type { CommandInputHandlers, CommandTransport } from './commandBridge.js';
import { Channel, frame, parseResize, type ExecSubprotocol, type ExitStatus } from './execProtocol.js';

/** Pings without a word from the client before we give up on it (kubectl waits ~60 s). */
const silentPingsAllowed = 12;

function toBuffer(raw: RawData): Buffer {
  if (Buffer.isBuffer(raw)) return raw;
  if (Array.isArray(raw)) return Buffer.concat(raw);
  return Buffer.from(raw);
}

export class WebSocketCommandTransport implements CommandTransport {
  private lastHeard = Date.now();
  private pinger: NodeJS.Timeout | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly protocol: ExecSubprotocol,
    private readonly pingIntervalMs: number,
    private readonly log: Logger,
  ) {}

  start(h: CommandInputHandlers): void {
    const { ws } = this;
    ws.on('message', (raw) => {
      this.lastHeard = Date.now();
      const data = toBuffer(raw);
      if (data.length === 0) return;
      const payload = data.subarray(1);
      switch (data[0]) {
        case Channel.stdin:
          return h.stdin(payload);
        case Channel.resize: {
          const size = parseResize(payload);
          if (size) h.resize(size.width, size.height);
          else this.log.debug('ignoring a malformed resize message');
          return;
        }
        case Channel.close:
          if (this.protocol === 'v5.channel.k8s.io' && payload[0] === Channel.stdin) h.stdinEnd();
          return;
        default:
          this.log.debug('ignoring a message on an unknown channel', { channel: data[0] });
      }
    });
    ws.on('pong', () => {
      this.lastHeard = Date.now();
    });
    this.pinger = setInterval(() => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (Date.now() - this.lastHeard > silentPingsAllowed * this.pingIntervalMs) {
        this.log.warn('client stopped answering pings; ending the session');
        ws.terminate();
        return;
      }
      ws.ping();
    }, this.pingIntervalMs);
    this.pinger.unref();
    ws.on('error', (e) => this.log.debug('websocket error', { error: e.message }));
    ws.on('close', () => {
      clearInterval(this.pinger);
      h.gone();
    });
    // The caller paused the socket until we listened; what the client sent meanwhile arrives now.
    ws.resume();
    // Gone while the command was starting: 'close' has been and will not come again.
    if (ws.readyState === WebSocket.CLOSED) setImmediate(() => h.gone());
  }

  sendOutput(stream: 'stdout' | 'stderr', data: Buffer, flushed: () => void): void {
    if (this.ws.readyState !== WebSocket.OPEN) return flushed();
    this.ws.send(frame(stream === 'stdout' ? Channel.stdout : Channel.stderr, data), { binary: true }, () => flushed());
  }

  pauseInput(): void {
    if (!this.ws.isPaused) this.ws.pause();
  }

  resumeInput(): void {
    this.ws.resume();
  }

  finish(status: ExitStatus): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(frame(Channel.error, JSON.stringify(status)), { binary: true });
    this.ws.close(1000);
  }
}
