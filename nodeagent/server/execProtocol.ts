// The Kubernetes remote-command websocket protocol (channel.k8s.io): binary messages whose
// first byte names a stream. v4 ends with a Status on the error channel; v5 adds a way for
// the client to close one of its streams (a message [255, channel]), used to close stdin.

export const execSubprotocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;
export type ExecSubprotocol = (typeof execSubprotocols)[number];

export const Channel = {
  stdin: 0,
  stdout: 1,
  stderr: 2,
  /** Server to client: the final Status. */
  error: 3,
  /** Client to server: terminal size as JSON {Width, Height}. */
  resize: 4,
  /** v5, client to server: [255, n] closes the client's stream n. */
  close: 255,
} as const;

/** Our preferred subprotocol among those the client offered, if any. */
export function chooseSubprotocol(offered: Iterable<string>): ExecSubprotocol | undefined {
  const set = new Set(offered);
  return execSubprotocols.find((p) => set.has(p));
}

/** The Sec-WebSocket-Protocol header's list. */
export function offeredSubprotocols(header: string | undefined): string[] {
  return (header ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function frame(channel: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = channel;
  body.copy(out, 1);
  return out;
}

/** The Status a remote command ends with (a metav1.Status without kind, as the kubelet writes it). */
export interface ExitStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: { reason: string; message: string }[] };
}

export function exitStatus(exitCode: number, cmd: readonly string[]): ExitStatus {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${cmd.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** A failure that is not the command's own (the runtime could not run it). */
export function failureStatus(reason: string, message: string): ExitStatus {
  return { metadata: {}, status: 'Failure', message, reason };
}

/** The terminal size of a resize message; undefined when it is not one. */
export function parseResize(payload: Buffer): { width: number; height: number } | undefined {
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const { Width: width, Height: height } = v as Record<string, unknown>;
  if (typeof width !== 'number' || typeof height !== 'number' || !(width >= 0) || !(height >= 0)) return undefined;
  return { width, height };
}
