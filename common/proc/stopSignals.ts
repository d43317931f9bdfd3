// How every Gantry process ends on SIGTERM or SIGINT: once (a second signal while stopping
// changes nothing), with a log line, then exit 0 whatever the stop's outcome, so a supervisor
// sees a clean stop.

import type { Logger } from '../logging.js';

/** Registers the handlers; returns the same stop for other triggers (a pool worker whose primary went away). */
export function exitOnStopSignals(logger: Logger, message: string, stop: () => Promise<unknown>): () => void {
  let stopping = false;
  const onSignal = (): void => {
    if (stopping) return;
    stopping = true;
    logger.info(message);
    void stop()
      .catch(() => undefined)
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return onSignal;
}
