// The query of `GET /containerLogs/...` (PodLogOptions as the API server forwards them),
// validated as Kubernetes validates PodLogOptions, and turned into readLogs options.

import { BadRequestError } from '../../common/errors.js';
import { parseTimestamp } from '../runtime/logs/criLog.js';
import type { ReadLogsOptions } from '../runtime/logs/readLogs.js';
import { boolParam, intParam, ParamErrors } from './queryParams.js';

export interface LogRequest {
  follow: boolean;
  previous: boolean;
  /** What to read; following is decided by the handler, which knows whether the container runs. */
  read: Pick<ReadLogsOptions, 'tail' | 'sinceTime' | 'timestamps' | 'limitBytes' | 'stream'>;
}

const streams = { All: 'all', Stdout: 'stdout', Stderr: 'stderr' } as const;

/** Throws BadRequestError listing every invalid parameter. `now` (epoch ms) anchors sinceSeconds. */
export function parseLogQuery(q: URLSearchParams, now: number): LogRequest {
  const errors = new ParamErrors();
  const follow = boolParam(q, 'follow', errors);
  const previous = boolParam(q, 'previous', errors);
  const timestamps = boolParam(q, 'timestamps', errors);
  const tailLines = intParam(q, 'tailLines', errors);
  const limitBytes = intParam(q, 'limitBytes', errors);
  const sinceSeconds = intParam(q, 'sinceSeconds', errors);
  const sinceTimeRaw = q.get('sinceTime');
  const streamRaw = q.get('stream');

  if (tailLines !== undefined && tailLines < 0) errors.invalid('tailLines', String(tailLines), 'must be greater than or equal to 0');
  if (limitBytes !== undefined && limitBytes < 1) errors.invalid('limitBytes', String(limitBytes), 'must be greater than 0');
  if (sinceSeconds !== undefined && sinceSeconds < 1) errors.invalid('sinceSeconds', String(sinceSeconds), 'must be greater than 0');
  let sinceTime: number | undefined;
  if (sinceTimeRaw !== null) {
    const parsed = parseTimestamp(sinceTimeRaw);
    if (parsed) sinceTime = parsed.time;
    else errors.invalid('sinceTime', sinceTimeRaw, 'must be a RFC 3339 timestamp, e.g. 2024-01-02T15:04:05Z');
  }
  if (sinceTimeRaw !== null && q.get('sinceSeconds') !== null) errors.add(undefined, 'FieldValueForbidden', 'at most one of `sinceTime` or `sinceSeconds` may be specified');
  let stream: LogRequest['read']['stream'];
  if (streamRaw !== null) {
    if (Object.hasOwn(streams, streamRaw)) stream = streams[streamRaw as keyof typeof streams];
    else errors.add('stream', 'FieldValueNotSupported', `Unsupported value: ${JSON.stringify(streamRaw)}: supported values: "All", "Stdout", "Stderr"`);
  }
  // The kubelet cannot count lines of one stream from the end of an interleaved file.
  if (stream !== undefined && stream !== 'all' && tailLines !== undefined) errors.add('stream', 'FieldValueForbidden', '`tailLines` and specific `stream` are mutually exclusive for now');

  if (errors.causes.length > 0) throw new BadRequestError(`invalid log options: ${errors.summary()}`, errors.causes);

  const read: LogRequest['read'] = {};
  if (tailLines !== undefined) read.tail = tailLines;
  if (sinceTime !== undefined) read.sinceTime = sinceTime;
  if (sinceSeconds !== undefined) read.sinceTime = now - sinceSeconds * 1000;
  if (timestamps) read.timestamps = true;
  if (limitBytes !== undefined) read.limitBytes = limitBytes;
  if (stream !== undefined && stream !== 'all') read.stream = stream;
  return { follow, previous, read };
}
