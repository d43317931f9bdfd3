// PodExecOptions and PodAttachOptions from the query string, turned into the query of the
// agent's /exec and /attach endpoints.

import { BadRequestError } from '../../common/errors.js';
import { boolParam } from './logOptions.js';

export function agentExecQuery(q: URLSearchParams): URLSearchParams {
  const command = q.getAll('command');
  if (command.length === 0) throw new BadRequestError('you must specify at least one command for the container');
  const out = new URLSearchParams();
  for (const c of command) out.append('command', c);
  const streams = ['stdin', 'stdout', 'stderr'].filter((s) => boolParam(q, s));
  if (streams.length === 0) throw new BadRequestError('you must specify at least one of stdin, stdout, stderr');
  for (const s of streams) out.set(s, '1');
  if (boolParam(q, 'tty')) out.set('tty', '1');
  return out;
}

export function agentAttachQuery(q: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  const streams = ['stdin', 'stdout', 'stderr'].filter((s) => boolParam(q, s));
  if (streams.length === 0) throw new BadRequestError('you must specify at least one of stdin, stdout, stderr');
  for (const s of streams) out.set(s, '1');
  if (boolParam(q, 'tty')) out.set('tty', '1');
  return out;
}
