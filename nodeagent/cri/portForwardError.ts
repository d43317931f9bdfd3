// Why a port-forward connection could not be made. Not an API error: kubectl sees it on the
// stream's error channel, so the message is worded as the kubelet's runtimes word it.
// A port that is no TCP port at all is bad input, the same for every runtime.

import { BadRequestError } from '../../common/errors.js';

export function validateForwardPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new BadRequestError(`port ${port} must be an integer in 1-65535`);
}

export type PortForwardFailure = 'refused' | 'failed';

export class PortForwardError extends Error {
  constructor(
    readonly podSandboxId: string,
    readonly port: number,
    /** refused: nothing listens on the port; failed: anything else (timeout, tool error). */
    readonly failure: PortForwardFailure,
    detail: string,
  ) {
    super(`failed to connect to localhost:${port} inside namespace "${podSandboxId}", IPv4: dial tcp4 127.0.0.1:${port}: ${detail}`);
    this.name = 'PortForwardError';
  }
}
