// PodLogOptions from the query string, checked as Kubernetes checks them, and turned
// into the query the node agent's /containerLogs endpoint takes.

import { BadRequestError, InvalidError, type FieldCause } from '../../common/errors.js';

/** Go's strconv.ParseBool spellings, which Kubernetes accepts in query parameters. */
export function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null || v === '') return false;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw new BadRequestError(`invalid ${name}: ${JSON.stringify(v)}: must be a boolean`);
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?[0-9]{1,18}$/.test(v)) throw new BadRequestError(`invalid ${name}: ${JSON.stringify(v)}: must be an integer`);
  return Number(v);
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Validates the log query of pods/log; returns the agent's query (container excluded: it goes in the path). */
export function agentLogQuery(q: URLSearchParams, podName: string): URLSearchParams {
  const out = new URLSearchParams();
  const causes: FieldCause[] = [];
  const invalid = (field: string, value: unknown, why: string): void => {
    causes.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${JSON.stringify(value)}: ${why}` });
  };
  if (boolParam(q, 'follow')) out.set('follow', 'true');
  if (boolParam(q, 'previous')) out.set('previous', 'true');
  if (boolParam(q, 'timestamps')) out.set('timestamps', 'true');
  const tailLines = intParam(q, 'tailLines');
  if (tailLines !== undefined) {
    if (tailLines < 0) invalid('tailLines', tailLines, 'must be greater than or equal to 0');
    else out.set('tailLines', String(tailLines));
  }
  const limitBytes = intParam(q, 'limitBytes');
  if (limitBytes !== undefined) {
    if (limitBytes < 1) invalid('limitBytes', limitBytes, 'must be greater than 0');
    else out.set('limitBytes', String(limitBytes));
  }
  const sinceSeconds = intParam(q, 'sinceSeconds');
  const sinceTime = q.get('sinceTime') || undefined;
  if (sinceSeconds !== undefined && sinceTime !== undefined) {
    causes.push({ reason: 'FieldValueForbidden', field: '', message: 'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified' });
  } else if (sinceSeconds !== undefined) {
    if (sinceSeconds < 1) invalid('sinceSeconds', sinceSeconds, 'must be greater than 0');
    else out.set('sinceSeconds', String(sinceSeconds));
  } else if (sinceTime !== undefined) {
    if (!rfc3339.test(sinceTime) || Number.isNaN(Date.parse(sinceTime))) throw new BadRequestError(`invalid sinceTime: ${JSON.stringify(sinceTime)}: must be an RFC 3339 time`);
    out.set('sinceTime', sinceTime);
  }
  // Which of the container's streams (newer kubectl's split-stream logs).
  const stream = q.get('stream');
  if (stream !== null && stream !== '') {
    if (!['All', 'Stdout', 'Stderr'].includes(stream)) causes.push({ reason: 'FieldValueNotSupported', field: 'stream', message: `Unsupported value: ${JSON.stringify(stream)}: supported values: "All", "Stdout", "Stderr"` });
    else if (stream !== 'All' && tailLines !== undefined) causes.push({ reason: 'FieldValueForbidden', field: 'stream', message: 'Forbidden: `tailLines` and a specific `stream` cannot be combined' });
    else out.set('stream', stream);
  }
  if (causes.length) throw new InvalidError('PodLogOptions', podName, causes);
  return out;
}
