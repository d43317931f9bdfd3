// A simulated container's output written to its log file in the CRI format, as conmon's
// k8s-file driver writes it: one line per chunk, `F` where the chunk ends a line, `P`
// where it continues (a line longer than the buffer, or output without a final newline).
// Only containers that print get a file, so thousands of idle ones cost no disk.

import fs from 'node:fs/promises';
import path from 'node:path';
import { formatCriLogLine } from '../runtime/logs/criLog.js';
import type { SimulatedOutput } from './commands.js';

/** conmon's read buffer: a longer line is split into partial chunks of this size. */
const chunkBytes = 8192;

function outputBytes(o: SimulatedOutput): Buffer {
  return 'text' in o ? Buffer.from(o.text) : Buffer.alloc(o.zeroBytes);
}

/** The CRI log lines for `output`, all stamped `time`. */
export function criLogLines(output: readonly SimulatedOutput[], time: Date): Buffer {
  const lines: Buffer[] = [];
  for (const o of output) {
    const data = outputBytes(o);
    let start = 0;
    while (start < data.length) {
      const nl = data.indexOf(0x0a, start);
      const lineEnd = nl < 0 ? data.length : nl;
      for (let pos = start; pos < lineEnd || pos === start; pos += chunkBytes) {
        const end = Math.min(lineEnd, pos + chunkBytes);
        const complete = end === lineEnd && nl >= 0;
        lines.push(formatCriLogLine(time, o.stream, data.subarray(pos, end), !complete));
        if (end >= lineEnd) break;
      }
      start = nl < 0 ? data.length : nl + 1;
    }
  }
  return Buffer.concat(lines);
}

/** Appends the output to the log file, creating its directory; an empty output only creates the file. */
export async function writeContainerLog(logPath: string, output: readonly SimulatedOutput[], time: Date): Promise<void> {
  await fs.mkdir(path.dirname(logPath), { recursive: true });
  await fs.appendFile(logPath, criLogLines(output, time));
}
