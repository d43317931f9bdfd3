// Joins an exec session to its websocket. Output goes out as channel messages; the client's
// stdin, resize and close messages come in. Memory stays bounded both ways: process output
// is paused while too much is queued for the socket, and the socket is paused while the
// process is not taking its stdin. The session ends with a Status on the error channel and
// a normal close; a client that leaves (or falls silent past many pings) kills the session.

import { WebSocket, type RawData } from 'ws';
import type { Logger } from '../../common/logging.js';
import type { ExecSession } from '../cri/types.js';
import { Channel, exitStatus, failureStatus, frame, parseResize, type ExecSubprotocol, type ExitStatus } from './execProtocol.js';

export interface ExecBridgeOptions {
  ws: WebSocket;
  protocol: ExecSubprotocol;
  session: ExecSession;
  cmd: readonly string[];
  logger: Logger;
  pingIntervalMs: number;
}

/** Output bytes handed to the socket but not yet written out, above which output is paused. */
const highWaterBytes = 1024 * 1024;
const lowWaterBytes = 256 * 1024;
/** Pings without a word from the client before we give up on it (kubectl waits ~60 s). */
const silentPingsAllowed = 12;
/** After the exit, how long output may stay idle before we stop waiting for its end
 * (a background process of the command can hold the pipes open forever). */
const outputIdleAfterExitMs = 2000;

function toBuffer(raw: RawData): Buffer {
  if (Buffer.isBuffer(raw)) return raw;
  if (Array.isArray(raw)) return Buffer.concat(raw);
  return Buffer.from(raw);
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Resolves once the websocket has closed. */
export function bridgeExec(o: ExecBridgeOptions): Promise<void> {
  const { ws, session, logger: log } = o;
  let finished = false;
  let inflight = 0;
  let outputPaused = false;
  let lastOutputActivity = Date.now();
  let lastHeard = Date.now();

  // ---- output: process -> client -------------------------------------------------
  const outputs: { stream: NodeJS.ReadableStream; onData: (chunk: Buffer | string) => void; ended: Promise<void> }[] = [];
  const resumeOutputs = (): void => {
    outputPaused = false;
    for (const out of outputs) out.stream.resume();
  };
  const send = (data: Buffer): void => {
    if (ws.readyState !== WebSocket.OPEN) return;
    inflight += data.length;
    ws.send(data, { binary: true }, () => {
      inflight -= data.length;
      lastOutputActivity = Date.now();
      if (outputPaused && inflight <= lowWaterBytes) resumeOutputs();
    });
  };
  for (const [stream, channel] of [
    [session.stdout, Channel.stdout],
    [session.stderr, Channel.stderr],
  ] as const) {
    if (!stream) continue;
    const onData = (chunk: Buffer | string): void => {
      lastOutputActivity = Date.now();
      send(frame(channel, chunk));
      if (!outputPaused && inflight > highWaterBytes) {
        outputPaused = true;
        for (const out of outputs) out.stream.pause();
      }
    };
    const ended = new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', () => resolve());
    });
    stream.on('error', (e: unknown) => log.debug('exec output stream failed', { channel, error: errorMessage(e) }));
    stream.on('data', onData);
    outputs.push({ stream, onData, ended });
  }

  // ---- input: client -> process ----------------------------------------------------
  const stdin = session.stdin;
  let stdinOpen = stdin !== undefined;
  // While the process is not taking its stdin we stop reading the socket; anything that
  // means it never will (drain, our end, its error) must start reading again, or the
  // client's later messages (resize, close) would never be seen. An ending stream emits
  // no 'drain'.
  const resumeInput = (): void => ws.resume();
  const closeStdin = (): void => {
    if (!stdin || !stdinOpen) return;
    stdinOpen = false;
    stdin.end();
    resumeInput();
  };
  stdin?.on('error', (e: unknown) => {
    // The process closed its stdin (or exited): drop further input, keep reading resizes.
    stdinOpen = false;
    resumeInput();
    log.debug('exec stdin closed by the process', { error: errorMessage(e) });
  });
  ws.on('message', (raw) => {
    lastHeard = Date.now();
    const data = toBuffer(raw);
    if (data.length === 0) return;
    const payload = data.subarray(1);
    switch (data[0]) {
      case Channel.stdin:
        if (!stdin || !stdinOpen || payload.length === 0) return;
        if (!stdin.write(payload) && !ws.isPaused) {
          ws.pause();
          stdin.once('drain', resumeInput);
        }
        return;
      case Channel.resize: {
        const size = parseResize(payload);
        if (size) session.resize(size.width, size.height);
        else log.debug('ignoring a malformed resize message');
        return;
      }
      case Channel.close:
        if (o.protocol === 'v5.channel.k8s.io' && payload[0] === Channel.stdin) closeStdin();
        return;
      default:
        log.debug('ignoring a message on an unknown channel', { channel: data[0] });
    }
  });

  // ---- liveness --------------------------------------------------------------------
  ws.on('pong', () => {
    lastHeard = Date.now();
  });
  const pinger = setInterval(() => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (Date.now() - lastHeard > silentPingsAllowed * o.pingIntervalMs) {
      log.warn('exec client stopped answering pings; ending the session');
      ws.terminate();
      return;
    }
    ws.ping();
  }, o.pingIntervalMs);
  pinger.unref();

  // ---- the end -----------------------------------------------------------------------
  const outputsDone = (): Promise<void> =>
    new Promise((resolve) => {
      lastOutputActivity = Date.now();
      const timer = setInterval(() => {
        if (!outputPaused && Date.now() - lastOutputActivity > outputIdleAfterExitMs) done();
      }, 100);
      const done = (): void => {
        clearInterval(timer);
        resolve();
      };
      void Promise.all(outputs.map((out) => out.ended)).then(done);
    });

  void (async () => {
    let status: ExitStatus;
    try {
      const code = await session.exitCode;
      status = exitStatus(code, o.cmd);
      log.info('exec finished', { exitCode: code });
    } catch (e) {
      status = failureStatus('InternalError', `error executing command in container: ${errorMessage(e)}`);
      log.warn('exec failed', { error: errorMessage(e) });
    }
    await outputsDone();
    finished = true;
    closeStdin();
    if (ws.readyState === WebSocket.OPEN) {
      ws.send(frame(Channel.error, JSON.stringify(status)), { binary: true });
      ws.close(1000);
    }
  })();

  return new Promise((resolve) => {
    ws.on('error', (e) => log.debug('exec websocket error', { error: e.message }));
    ws.on('close', (code) => {
      clearInterval(pinger);
      if (!finished) {
        log.info('exec client went away; killing the session', { closeCode: code });
        session.kill();
        closeStdin();
        // Nobody reads the output any more; drain it so the process is never blocked on a pipe.
        for (const out of outputs) {
          out.stream.off('data', out.onData);
          out.stream.resume();
        }
      }
      resolve();
    });
    // The caller paused the socket until we listened; what the client sent meanwhile arrives now.
    ws.resume();
  });
}
