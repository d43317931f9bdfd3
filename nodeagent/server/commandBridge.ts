// Joins a running command (an exec'd process, or an attachment to a container's stdio) to
// the client, whatever carries the bytes (websocket channels or SPDY streams: see
// CommandTransport). Memory stays bounded both ways: output is paused while too much is
// queued for the client, and the client's input is paused while the command is not taking
// its stdin. The command ends with a Status to the client; a client that leaves stops it.

import type { Logger } from '../../common/logging.js';
import type { ExitStatus } from './execProtocol.js';

/** The command's side: an exec session or an attach session, seen the same way. */
export interface RunningCommand {
  stdin?: NodeJS.WritableStream | undefined;
  stdout?: NodeJS.ReadableStream | undefined;
  stderr?: NodeJS.ReadableStream | undefined;
  resize(width: number, height: number): void;
  /** Settles with the Status the client is told at the end. */
  finished: Promise<ExitStatus>;
  /** The client left: kill the process (exec) or detach (attach). */
  stop(): void;
}

export interface CommandInputHandlers {
  stdin(data: Buffer): void;
  stdinEnd(): void;
  resize(width: number, height: number): void;
  /** The client went away (or fell silent) before the end. */
  gone(): void;
}

/** The client's side, as the websocket and SPDY protocols each present it. */
export interface CommandTransport {
  /** Starts delivering the client's input; nothing is delivered before. */
  start(handlers: CommandInputHandlers): void;
  sendOutput(stream: 'stdout' | 'stderr', data: Buffer, flushed: () => void): void;
  pauseInput(): void;
  resumeInput(): void;
  /** Sends the final Status and closes the connection. */
  finish(status: ExitStatus): void;
}

/** Output bytes handed to the transport but not yet written out, above which output is paused. */
const highWaterBytes = 1024 * 1024;
const lowWaterBytes = 256 * 1024;
/** After the end, how long output may stay idle before we stop waiting for its end
 * (a background process of the command can hold the pipes open forever). */
const outputIdleAfterExitMs = 2000;

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Resolves once the command has ended and the client was told, or the client left. */
export function bridgeCommand(transport: CommandTransport, cmd: RunningCommand, log: Logger): Promise<void> {
  let finished = false;
  let inflight = 0;
  let outputPaused = false;
  let lastOutputActivity = Date.now();
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  // ---- output: command -> client ---------------------------------------------------------
  const outputs: { stream: NodeJS.ReadableStream; onData: (chunk: Buffer | string) => void; ended: Promise<void> }[] = [];
  const resumeOutputs = (): void => {
    outputPaused = false;
    for (const out of outputs) out.stream.resume();
  };
  for (const [stream, name] of [
    [cmd.stdout, 'stdout'],
    [cmd.stderr, 'stderr'],
  ] as const) {
    if (!stream) continue;
    const onData = (chunk: Buffer | string): void => {
      const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      lastOutputActivity = Date.now();
      inflight += data.length;
      transport.sendOutput(name, data, () => {
        inflight -= data.length;
        lastOutputActivity = Date.now();
        if (outputPaused && inflight <= lowWaterBytes) resumeOutputs();
      });
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
    stream.on('error', (e: unknown) => log.debug('command output stream failed', { stream: name, error: errorMessage(e) }));
    stream.on('data', onData);
    outputs.push({ stream, onData, ended });
  }

  // ---- input: client -> command ----------------------------------------------------------
  const stdin = cmd.stdin;
  let stdinOpen = stdin !== undefined;
  // While the command is not taking its stdin we stop reading the client; anything that
  // means it never will (drain, our end, its error) must start reading again, or the
  // client's later messages (resize, close) would never be seen.
  const closeStdin = (): void => {
    if (!stdin || !stdinOpen) return;
    stdinOpen = false;
    stdin.end();
    transport.resumeInput();
  };
  stdin?.on('error', (e: unknown) => {
    stdinOpen = false;
    transport.resumeInput();
    log.debug('stdin closed by the command', { error: errorMessage(e) });
  });

  const clientGone = (): void => {
    if (finished) return resolveDone();
    finished = true;
    log.info('client went away; stopping the command');
    cmd.stop();
    closeStdin();
    // Nobody reads the output any more; drain it so the process is never blocked on a pipe.
    for (const out of outputs) {
      out.stream.off('data', out.onData);
      out.stream.resume();
    }
    resolveDone();
  };

  transport.start({
    stdin: (data) => {
      if (!stdin || !stdinOpen || data.length === 0) return;
      if (!stdin.write(data)) {
        transport.pauseInput();
        stdin.once('drain', () => transport.resumeInput());
      }
    },
    stdinEnd: closeStdin,
    resize: (w, h) => cmd.resize(w, h),
    gone: clientGone,
  });

  // ---- the end ---------------------------------------------------------------------------
  const outputsDone = (): Promise<void> =>
    new Promise((resolve) => {
      lastOutputActivity = Date.now();
      const timer = setInterval(() => {
        if (!outputPaused && Date.now() - lastOutputActivity > outputIdleAfterExitMs) end();
      }, 100);
      const end = (): void => {
        clearInterval(timer);
        resolve();
      };
      void Promise.all(outputs.map((out) => out.ended)).then(end);
    });

  void (async () => {
    const status = await cmd.finished;
    await outputsDone();
    if (finished) return;
    finished = true;
    closeStdin();
    transport.finish(status);
    resolveDone();
  })();

  return done;
}
