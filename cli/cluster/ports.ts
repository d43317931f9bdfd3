// Well-known ports when they are free (6443, 5000, 10250: what users expect to see), any
// free port otherwise, so a second cluster or another service on the machine never blocks `up`.

import net from 'node:net';
import { freePort } from '../../common/proc/ports.js';

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** `configured` when given (the user asked for it), else `preferred` if free, else a free port. */
export async function choosePort(configured: number | undefined, preferred: number): Promise<number> {
  if (configured !== undefined) return configured;
  return (await portFree(preferred)) ? preferred : freePort();
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}
