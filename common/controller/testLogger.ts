// A winston logger that keeps its entries in memory, for tests that assert on what a
// controller logged (fields such as controller and key, levels).

import { Writable } from 'node:stream';
import winston from 'winston';
import type { Logger } from '../logging.js';

export interface LogEntry {
  level: string;
  message: string;
  [field: string]: unknown;
}

export function memoryLogger(): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: LogEntry, _enc, cb) {
      entries.push({ ...info });
      cb();
    },
  });
  const logger = winston.createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream })] });
  return { logger, entries };
}
