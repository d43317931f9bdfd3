// Well-known ports when they are free (6443, 5000, 10250: what users expect to see), any
// free port otherwise, so a second cluster or another service on the machine never blocks `up`.

import dgram from 'node:dgram';
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

/** True when something accepts TCP connections on host:port (default 127.0.0.1). */
export function portAnswers(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/** Whether both UDP and TCP `port` are free on `host` (a DNS server needs both). */
export async function dnsPortFree(host: string, port: number): Promise<boolean> {
  const tcp = await new Promise<boolean>((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
  if (!tcp) return false;
  return new Promise<boolean>((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, host, () => s.close(() => resolve(true)));
  });
}
