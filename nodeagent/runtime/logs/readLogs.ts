// Reading a container's CRI log file for `kubectl logs`: the last N lines, lines since a
// time, with or without timestamps, up to a byte limit, and following the file as it grows
// (by polling, which also notices the file being replaced when the log rotates). Memory is
// bounded by the read block and one line, whatever the size of the file.

import fs from 'node:fs/promises';
import { parseCriLogLine, type LogStream } from './criLog.js';

export interface ReadLogsOptions {
  /** Only the last `tail` lines of the file (each CRI line counts, as the kubelet counts them). */
  tail?: number;
  /** Only lines at or after this time (epoch ms). */
  sinceTime?: number;
  /** Prefix each chunk with its RFC 3339 timestamp. */
  timestamps?: boolean;
  /** Stop after writing this many bytes. */
  limitBytes?: number;
  stream?: LogStream | 'all';
  follow?: boolean;
  /**
   * When following and the end of the file is reached: false means no more output will come
   * (the container exited); the reader drains what is left and returns.
   */
  keepFollowing?: () => Promise<boolean>;
  signal?: AbortSignal;
  pollIntervalMs?: number;
}

const blockSize = 64 * 1024;
/** Longer lines are cut: conmon writes at most 8 KiB per line, anything longer is not ours. */
const maxLineBytes = 1024 * 1024;

/** Byte offset where the last `lines` lines of the file start. */
export async function tailOffset(fh: fs.FileHandle, size: number, lines: number): Promise<number> {
  if (lines <= 0) return size;
  let end = size;
  let count = 0;
  const buf = Buffer.alloc(blockSize);
  let first = true;
  while (end > 0) {
    const start = Math.max(0, end - blockSize);
    const { bytesRead } = await fh.read(buf, 0, end - start, start);
    for (let i = bytesRead - 1; i >= 0; i--) {
      if (buf[i] !== 0x0a) continue;
      // The newline that ends the file closes the last line; it does not start one.
      if (first && start + i === size - 1) continue;
      count++;
      if (count === lines) return start + i + 1;
    }
    first = false;
    end = start;
  }
  return 0;
}

class LimitReached extends Error {}

export async function readLogs(file: string, opts: ReadLogsOptions, sink: (chunk: Buffer) => void | Promise<void>): Promise<void> {
  const poll = opts.pollIntervalMs ?? 100;
  const streamFilter = opts.stream ?? 'all';
  let written = 0;
  const emit = async (chunk: Buffer): Promise<void> => {
    if (opts.limitBytes !== undefined) {
      const room = opts.limitBytes - written;
      if (room <= 0) throw new LimitReached();
      if (chunk.length > room) {
        written += room;
        await sink(chunk.subarray(0, room));
        throw new LimitReached();
      }
    }
    written += chunk.length;
    await sink(chunk);
  };
  const handleLine = async (line: Buffer): Promise<void> => {
    const parsed = parseCriLogLine(line);
    if (!parsed) return;
    if (streamFilter !== 'all' && parsed.stream !== streamFilter) return;
    if (opts.sinceTime !== undefined && parsed.time < opts.sinceTime) return;
    const parts: Buffer[] = [];
    if (opts.timestamps) parts.push(Buffer.from(parsed.timestamp + ' '));
    parts.push(parsed.content);
    if (!parsed.partial) parts.push(Buffer.from('\n'));
    await emit(Buffer.concat(parts));
  };

  let fh = await fs.open(file, 'r');
  try {
    let st = await fh.stat();
    let pos = opts.tail !== undefined ? await tailOffset(fh, st.size, opts.tail) : 0;
    let carry: Buffer = Buffer.alloc(0);
    const buf = Buffer.alloc(blockSize);
    let finalPass = false;
    for (;;) {
      if (opts.signal?.aborted) return;
      const { bytesRead } = await fh.read(buf, 0, blockSize, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        let data = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : Buffer.from(buf.subarray(0, bytesRead));
        let nl: number;
        while ((nl = data.indexOf(0x0a)) >= 0) {
          await handleLine(data.subarray(0, nl));
          data = data.subarray(nl + 1);
        }
        carry = data.length > maxLineBytes ? Buffer.alloc(0) : Buffer.from(data);
        continue;
      }
      // End of the file.
      if (!opts.follow || finalPass) return;
      if (opts.keepFollowing && !(await opts.keepFollowing())) {
        finalPass = true;
        continue;
      }
      await new Promise((r) => setTimeout(r, poll));
      const now = await fs.stat(file).catch(() => undefined);
      if (now && (now.ino !== st.ino || now.size < pos)) {
        // Rotated or truncated: continue from the start of the new file.
        await fh.close();
        fh = await fs.open(file, 'r');
        st = await fh.stat();
        pos = 0;
        carry = Buffer.alloc(0);
      }
    }
  } catch (e) {
    if (e instanceof LimitReached) return;
    throw e;
  } finally {
    await fh.close().catch(() => undefined);
  }
}
