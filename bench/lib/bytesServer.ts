// The LIST floor "write the same bytes": a separate Node process that does nothing but
// answer every GET with one fixed body over HTTPS (same TLS, same keep-alive client, same
// loopback), so a LIST can be set beside the cost of merely sending what it sends.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeCA, makeSignedCert } from '../../common/pki/certs.js';
import { ApiHttp } from './apiHttp.js';

// Plain JavaScript run with `node -e`: the same from source and compiled.
const serverScript = `
const https = require('node:https');
const fs = require('node:fs');
const [cert, key, dir] = [process.env.CERT, process.env.KEY, process.env.DIR];
const bodies = new Map();
const server = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (req, res) => {
  const name = req.url.slice(1);
  let body = bodies.get(name);
  if (!body) bodies.set(name, (body = fs.readFileSync(dir + '/' + name)));
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

export interface BytesServer {
  pid: number;
  /** GETs the body registered as `name` (see `add`), through a client like the API's. */
  client: ApiHttp;
  /** Registers a body to serve at `/<name>`. */
  add(name: string, body: Buffer): void;
  stop(): Promise<void>;
}

export async function startBytesServer(dir: string): Promise<BytesServer> {
  const ca = makeCA('bench-floor-ca');
  const serving = makeSignedCert(ca, { commonName: 'floor', dnsNames: ['localhost'], ips: ['127.0.0.1'] });
  fs.mkdirSync(dir, { recursive: true });
  const cert = path.join(dir, 'floor.crt');
  const key = path.join(dir, 'floor.key');
  fs.writeFileSync(cert, serving.certPem);
  fs.writeFileSync(key, serving.keyPem, { mode: 0o600 });
  const child: ChildProcess = spawn(process.execPath, ['-e', serverScript], { env: { ...process.env, CERT: cert, KEY: key, DIR: dir }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    child.once('exit', (code) => reject(new Error(`the bytes floor server exited (${code})`)));
  });
  const client = new ApiHttp({ server: `https://127.0.0.1:${port}`, caPem: ca.certPem, token: 'none' });
  return {
    pid: child.pid!,
    client,
    add: (name, body) => fs.writeFileSync(path.join(dir, name), body),
    stop: async () => {
      client.close();
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
