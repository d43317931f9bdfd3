import { expect } from 'chai';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { RuntimeService } from '../../cri/services.js';
import { resolvePort, runHandler } from './handlers.js';

// Probes over HTTP and TCP need no container: they go to an address. These run against
// servers on loopback; exec probes run through the real runtime in the agent's integration test.
const noRuntime = {} as RuntimeService;

describe('probe handlers', () => {
  let server: http.Server;
  let port = 0;
  let closedPort = 0;
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/slow') return setTimeout(() => res.end('late'), 1500);
      if (req.url === '/flood') {
        res.writeHead(200);
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const push = (): void => {
          while (res.write(chunk));
          res.once('drain', push);
        };
        return push();
      }
      res.writeHead(req.url === '/ok' ? 200 : req.url === '/redirect' ? 302 : 500, { Location: '/ok' });
      res.end(String(req.headers['x-probe'] ?? ''));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    closedPort = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const target = (): { containerId: string; podIP: string; ports: { name: string; containerPort: number }[] } => ({ containerId: 'x', podIP: '127.0.0.1', ports: [{ name: 'web', containerPort: port }] });

  const cases: { name: string; spec: () => Parameters<typeof runHandler>[1]; timeout?: number; ok: boolean; message?: RegExp }[] = [
    { name: 'httpGet 200 succeeds', spec: () => ({ httpGet: { path: '/ok', port } }), ok: true },
    { name: 'httpGet by named port', spec: () => ({ httpGet: { path: '/ok', port: 'web' } }), ok: true },
    { name: 'httpGet 3xx counts as success (not followed)', spec: () => ({ httpGet: { path: '/redirect', port } }), ok: true },
    { name: 'httpGet 500 fails with the status', spec: () => ({ httpGet: { path: '/err', port } }), ok: false, message: /statuscode: 500/ },
    { name: 'httpGet past its timeout fails', spec: () => ({ httpGet: { path: '/slow', port } }), timeout: 1, ok: false, message: /timeout/ },
    { name: 'httpGet of an endless body ends without buffering it', spec: () => ({ httpGet: { path: '/flood', port } }), ok: true },
    { name: 'httpGet of an unknown named port fails', spec: () => ({ httpGet: { path: '/', port: 'nope' } }), ok: false, message: /not found/ },
    { name: 'tcpSocket to a listener succeeds', spec: () => ({ tcpSocket: { port } }), ok: true },
    { name: 'tcpSocket to a closed port fails', spec: () => ({ tcpSocket: { port: closedPort } }), ok: false, message: /ECONNREFUSED/ },
    { name: 'grpc is refused clearly', spec: () => ({ grpc: { port } }), ok: false, message: /not supported/ },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const r = await runHandler(noRuntime, tc.spec(), target(), tc.timeout ?? 1);
      expect(r.ok, r.message).to.equal(tc.ok);
      if (tc.message) expect(r.message).to.match(tc.message);
    });
  }

  it('resolves numeric, numeric-string and named ports', () => {
    const ports = [{ name: 'http', containerPort: 8080 }];
    expect(resolvePort(80, ports)).to.equal(80);
    expect(resolvePort('81', ports)).to.equal(81);
    expect(resolvePort('http', ports)).to.equal(8080);
    expect(resolvePort(0, ports)).to.equal(undefined);
  });
});
