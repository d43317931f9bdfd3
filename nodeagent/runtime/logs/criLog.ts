// The CRI container log format, one line per chunk of output:
//
//   2016-10-06T00:17:09.669794202Z stdout F the message
//
// a RFC 3339 timestamp with nanoseconds (conmon writes the offset as +00:00), the stream,
// a tag (F: the chunk ends a line, P: partial, continued by the next chunk), the content.

export type LogStream = 'stdout' | 'stderr';

export interface CriLogLine {
  /** The timestamp normalized to UTC with a Z suffix, digits kept (for --timestamps). */
  timestamp: string;
  /** Epoch milliseconds (for --since-time comparisons). */
  time: number;
  stream: LogStream;
  partial: boolean;
  content: Buffer;
}

const tsPattern = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** Parses a RFC 3339 timestamp into epoch ms and its UTC `...Z` form, keeping sub-ms digits. */
export function parseTimestamp(ts: string): { time: number; utc: string } | undefined {
  const m = tsPattern.exec(ts);
  if (!m) return undefined;
  const frac = m[2] ?? '';
  const ms = Date.parse(`${m[1]}${frac.slice(0, 4)}${m[3]}`);
  if (!Number.isFinite(ms)) return undefined;
  if (m[3] === 'Z' || m[3] === '+00:00' || m[3] === '-00:00') return { time: ms, utc: `${m[1]}${frac}Z` };
  const base = new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
  return { time: ms, utc: `${base}${frac}Z` };
}

/** One line of a log file (without its newline); undefined when it is not in CRI format. */
export function parseCriLogLine(line: Buffer): CriLogLine | undefined {
  const sp1 = line.indexOf(0x20);
  if (sp1 < 0) return undefined;
  const sp2 = line.indexOf(0x20, sp1 + 1);
  if (sp2 < 0) return undefined;
  const ts = parseTimestamp(line.subarray(0, sp1).toString('latin1'));
  if (!ts) return undefined;
  const stream = line.subarray(sp1 + 1, sp2).toString('latin1');
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  // The tag may be followed by the content or be the last thing on the line (empty content).
  const sp3 = line.indexOf(0x20, sp2 + 1);
  const tag = line.subarray(sp2 + 1, sp3 < 0 ? line.length : sp3).toString('latin1');
  if (tag !== 'F' && tag !== 'P') return undefined;
  return { timestamp: ts.utc, time: ts.time, stream, partial: tag === 'P', content: sp3 < 0 ? Buffer.alloc(0) : line.subarray(sp3 + 1) };
}

/** Formats one CRI log line (with its newline); for writers such as the simulated runtime. */
export function formatCriLogLine(time: Date, stream: LogStream, content: string | Buffer, partial = false): Buffer {
  const ts = time.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
  return Buffer.concat([Buffer.from(`${ts} ${stream} ${partial ? 'P' : 'F'} `), Buffer.isBuffer(content) ? content : Buffer.from(content), Buffer.from('\n')]);
}
