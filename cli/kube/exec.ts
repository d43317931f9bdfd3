// `gantry exec POD [-c C] [-i] [-t] -- COMMAND...`: runs a command in a container over the
// websocket remote-command protocol (v5.channel.k8s.io, else v4): byte 0 of each message is
// the stream (0 stdin, 1 stdout, 2 stderr, 3 the final Status, 4 terminal size); v5 closes
// stdin with [255, 0]. With -t on a terminal, the local terminal goes raw and its size follows
// along. The command's exit code becomes gantry's.

import type WebSocket from 'ws';
import { resourceFor } from '../../common/api/resources.js';
import { resourcePath } from '../../common/client/apiClient.js';
import type { CommandContext } from './commands.js';
import type { Pod } from './describe/wire.js';
import { CliError, UsageError } from './errors.js';
import { workloadPods } from './logs.js';
import { openWebSocket } from './stream.js';

export interface ExecFlags {
  container?: string;
  stdin?: boolean;
  tty?: boolean;
  quiet?: boolean;
}

const channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

function frame(ch: number, data: Buffer | string): Buffer {
  return Buffer.concat([Buffer.from([ch]), typeof data === 'string' ? Buffer.from(data) : data]);
}

interface ExecStatus {
  status?: string;
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
}

/** The exit code a final Status means: 0, the command's own (NonZeroExitCode), or undefined for a failure to run it. */
export function exitCodeOf(st: ExecStatus): number | undefined {
  if (st.status === 'Success') return 0;
  if (st.reason === 'NonZeroExitCode') {
    const c = st.details?.causes?.find((x) => x.reason === 'ExitCode');
    const n = Number(c?.message);
    return Number.isInteger(n) ? n : 1;
  }
  return undefined;
}

export async function execCommand(ctx: CommandContext, podArg: string, command: string[], flags: ExecFlags): Promise<void> {
  if (!command.length) throw new UsageError('give the command after --, e.g. `gantry exec web-1 -- ls /`');
  const s = ctx.session();
  const slash = podArg.indexOf('/');
  const pod = slash > 0 ? (await workloadPods(ctx, podArg.slice(0, slash), podArg.slice(slash + 1), true))[0]! : await s.api.get<Pod>(resourceFor('Pod'), s.namespace, podArg);
  const name = pod.metadata?.name ?? '';
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') throw new CliError(`cannot exec into a container in a completed pod; current phase is ${pod.status.phase}`);
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  const annotated = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
  const container = flags.container ?? (annotated && names.includes(annotated) ? annotated : names[0]);
  if (!container) throw new CliError(`pod/${name} has no containers`);
  if (!flags.container && !annotated && names.length > 1 && !flags.quiet) ctx.io.err(`Defaulted container "${container}" out of: ${names.join(', ')}\n`);

  const term = ctx.io.terminal;
  const stdin = flags.stdin ? term?.stdin : undefined;
  if (flags.stdin && !stdin) throw new CliError('-i needs standard input, which this caller did not give');
  let tty = Boolean(flags.tty);
  if (tty && !stdin?.isTTY) {
    if (!flags.quiet) ctx.io.err('Unable to use a TTY - input is not a terminal or the right kind of file\n');
    tty = false;
  }
  const ws: WebSocket = await openWebSocket(
    s.rest.access,
    resourcePath(resourceFor('Pod'), s.namespace, name, 'exec'),
    { command, container, stdin: Boolean(stdin) || undefined, stdout: true, stderr: !tty || undefined, tty: tty || undefined },
    ['v5.channel.k8s.io', 'v4.channel.k8s.io'],
  );
  const v5 = ws.protocol === 'v5.channel.k8s.io';
  let statusText = '';
  const restore: (() => void)[] = [];
  try {
    const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
    // Bytes as they came (a command may print binary), straight to the terminal when there is one.
    const writeOut = term ? (b: Buffer): void => void term.stdout.write(b) : (b: Buffer): void => ctx.io.out(b.toString('utf8'));
    ws.on('message', (data: Buffer) => {
      const ch = data[0];
      const body = data.subarray(1);
      if (ch === channel.stdout) writeOut(body);
      else if (ch === channel.stderr) ctx.io.err(body.toString('utf8'));
      else if (ch === channel.error) statusText += body.toString('utf8');
    });
    if (stdin) {
      if (tty && term) {
        stdin.setRawMode?.(true);
        restore.push(() => stdin.setRawMode?.(false));
        const size = (): void => void ws.send(frame(channel.resize, JSON.stringify({ Width: term.stdout.columns ?? 80, Height: term.stdout.rows ?? 24 })));
        size();
        term.stdout.on('resize', size);
        restore.push(() => term.stdout.off('resize', size));
      }
      const onData = (d: Buffer): void => void ws.send(frame(channel.stdin, d));
      const onEnd = (): void => {
        if (v5 && ws.readyState === ws.OPEN) ws.send(Buffer.from([channel.close, channel.stdin]));
      };
      stdin.on('data', onData);
      stdin.on('end', onEnd);
      restore.push(() => {
        stdin.off('data', onData);
        stdin.off('end', onEnd);
        stdin.pause();
      });
      stdin.resume();
    }
    await closed;
  } finally {
    for (const r of restore.reverse()) r();
  }
  if (!statusText) return;
  let st: ExecStatus;
  try {
    st = JSON.parse(statusText) as ExecStatus;
  } catch {
    throw new CliError(`the exec of ${name} ended with an unreadable status: ${statusText.slice(0, 200)}`);
  }
  const code = exitCodeOf(st);
  if (code === undefined) throw new CliError(st.message || 'the command could not be run');
  // The command's own exit code, quietly, as kubectl's `command terminated with exit code N` on stderr.
  if (code !== 0) ctx.io.err(`command terminated with exit code ${code}\n`);
  ctx.io.exitCode = code;
}
