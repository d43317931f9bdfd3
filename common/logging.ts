import winston from 'winston';

// One root logger per process; components take child loggers with structured fields
// (component, controller, key, pod, node) instead of formatting them into messages.
export type Logger = winston.Logger;

export interface LoggingOptions {
  level?: string;
  /** 'json' for machines (default when not a TTY), 'text' for people. */
  format?: 'json' | 'text';
  /** A file to write to instead of stderr. */
  file?: string;
}

export function createLogger(component: string, opts: LoggingOptions = {}): Logger {
  const level = opts.level ?? process.env.GANTRY_LOG_LEVEL ?? 'info';
  const useText = (opts.format ?? (process.stderr.isTTY ? 'text' : 'json')) === 'text';
  const format = useText
    ? winston.format.combine(
        winston.format.timestamp(),
        winston.format.printf(({ timestamp, level: lvl, message, ...rest }) => {
          const fields = Object.entries(rest)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          return `${String(timestamp)} ${lvl} ${String(message)}${fields ? ' ' + fields : ''}`;
        }),
      )
    : winston.format.combine(winston.format.timestamp(), winston.format.json());
  const transport = opts.file
    ? new winston.transports.File({ filename: opts.file })
    : new winston.transports.Stream({ stream: process.stderr });
  return winston.createLogger({ level, format, defaultMeta: { component }, transports: [transport] });
}

/** A logger that drops everything: for tests that do not assert on logs. */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Stream({ stream: process.stderr })] });
}
