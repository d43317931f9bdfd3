// The query of `GET /exec/...` (PodExecOptions as the API server forwards them). As the
// kubelet does, a TTY merges stderr into stdout, so stderr is dropped when tty is set.

import { BadRequestError } from '../../common/errors.js';
import type { AttachRequest, ExecRequest } from '../cri/types.js';
import { boolParam, ParamErrors } from './queryParams.js';

export function parseExecQuery(q: URLSearchParams): ExecRequest {
  const errors = new ParamErrors();
  const cmd = q.getAll('command');
  const tty = boolParam(q, 'tty', errors);
  const stdin = boolParam(q, 'stdin', errors);
  const stdout = boolParam(q, 'stdout', errors);
  const stderr = boolParam(q, 'stderr', errors) && !tty;
  if (cmd.length === 0 || cmd[0] === '') errors.add('command', 'FieldValueRequired', 'you must specify at least 1 command');
  if (errors.causes.length === 0 && !stdin && !stdout && !stderr) errors.add(undefined, 'FieldValueRequired', 'you must specify at least 1 of stdin, stdout, stderr');
  if (errors.causes.length > 0) throw new BadRequestError(`invalid exec options: ${errors.summary()}`, errors.causes);
  return { cmd, tty, stdin, stdout, stderr };
}

/** The query of `/attach/...`: which of the container's streams to join (no command). */
export function parseAttachQuery(q: URLSearchParams): AttachRequest {
  const errors = new ParamErrors();
  const tty = boolParam(q, 'tty', errors);
  const stdin = boolParam(q, 'stdin', errors);
  const stdout = boolParam(q, 'stdout', errors);
  const stderr = boolParam(q, 'stderr', errors) && !tty;
  if (errors.causes.length === 0 && !stdin && !stdout && !stderr) errors.add(undefined, 'FieldValueRequired', 'you must specify at least 1 of stdin, stdout, stderr');
  if (errors.causes.length > 0) throw new BadRequestError(`invalid attach options: ${errors.summary()}`, errors.causes);
  return { tty, stdin, stdout, stderr };
}
