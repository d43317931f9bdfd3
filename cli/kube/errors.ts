// What a failed command prints, and its exit code. Exit codes (documented in `gantry --help`):
//   0  success
//   1  a failure: the server refused or could not be reached, an object failed to apply or
//      delete (the others were still tried), a manifest or kubeconfig could not be read
//   2  wrong usage: an unknown flag, a missing or malformed argument

import { ApiError } from '../../common/errors.js';
import { KubeconfigError } from '../../common/kubeconfig.js';

export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;

export const exitCodeHelp = `Exit codes:
  0  success
  1  failure: the server refused or was unreachable, an object failed (the others were still tried), a file could not be read
  2  wrong usage: unknown flag, missing or malformed argument`;

/** A failure the command already knows how to say; `code` is the exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number = exitCodes.failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, exitCodes.usage);
  }
}

const networkCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE']);
const tlsCodes = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/;

/** Where the client was pointed, for messages about reaching it. */
export interface Target {
  server: string;
  /** The kubeconfig files read. */
  files: string[];
}

/**
 * An error from reaching the server (refused, unresolvable, timed out, TLS) turned into a
 * message naming the address and what to check; undefined for any other error.
 */
export function unreachable(e: unknown, t: Target): CliError | undefined {
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : '';
  const from = `(from ${t.files.join(', ')})`;
  if (tlsCodes.test(code)) {
    return new CliError(`cannot verify the API server at ${t.server} ${from}: ${err.message}\nCheck that the kubeconfig's certificate-authority is this cluster's CA (a cluster made again by \`gantry up\` has a new CA: use its new kubeconfig).`);
  }
  if (networkCodes.has(code) || /timed out/.test(err?.message ?? '')) {
    return new CliError(
      `cannot reach the API server at ${t.server} ${from}: ${code || err.message}\n` +
        'Is the cluster running? Start a local one with `gantry up` (check it with `gantry status`). ' +
        'Is this the right cluster? Choose the kubeconfig with KUBECONFIG or --kubeconfig, and the context with --context.',
    );
  }
  return undefined;
}

/** The one line kubectl users know for a refused request: `Error from server (NotFound): ...`. */
export function serverErrorLine(e: ApiError): string {
  return `Error from server (${e.reason}): ${e.message}`;
}

/** How any error reaching the top of a command is printed. */
export function errorText(e: unknown, t?: Target): { text: string; code: number } {
  if (e instanceof CliError) return { text: e.message.startsWith('error: ') ? e.message : `error: ${e.message}`, code: e.code };
  if (e instanceof ApiError) return { text: serverErrorLine(e), code: exitCodes.failure };
  if (e instanceof KubeconfigError) return { text: `error: ${e.message}\nGantry reads the kubeconfig from --kubeconfig, else the KUBECONFIG list, else ~/.kube/config, else $GANTRY_HOME/kubeconfig (written by \`gantry up\`).`, code: exitCodes.failure };
  const u = t ? unreachable(e, t) : undefined;
  if (u) return { text: `error: ${u.message}`, code: u.code };
  return { text: `error: ${e instanceof Error ? e.message : String(e)}`, code: exitCodes.failure };
}
