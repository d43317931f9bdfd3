// Test kit: a loopback HTTPS front for a real test cluster that looks like an API server
// from before OpenAPI v3 and `fieldValidation` (Kubernetes 1.23 and older): /openapi/v3 is
// missing and the /openapi/v2 document (Gantry's own, re-encoded with the real encoder)
// lists no fieldValidation parameter. Against such a server kubectl 1.27/1.28 validate
// every manifest themselves, from the v2 definitions — the only way to see kubectl judge
// Gantry's v2 schemas, since against Gantry itself it rightly leaves validation to the
// server. Everything else passes through unchanged.

import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { renderKubeconfig } from '../../common/kubeconfig.js';
import { makeCA, makeSignedCert } from '../../common/pki/certs.js';
import type { TestCluster } from '../testing/harness.js';
import { openApiV2ContentType } from './v2.js';
import { encodeSwaggerDocument } from './v2Proto.js';

export interface OlderServer {
  kubeconfig: string;
  close(): Promise<void>;
}

function fetchUpstream(cluster: TestCluster, urlPath: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(urlPath, cluster.access.server), { ca: cluster.access.caPem, headers: { Authorization: `Bearer ${cluster.access.token}`, Accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`GET ${urlPath}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The served document without any `fieldValidation` parameter. */
function withoutFieldValidation(json: Buffer): Uint8Array {
  const doc = JSON.parse(json.toString()) as { paths: Record<string, Record<string, { parameters?: { name: string }[] }>> };
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) {
      if (Array.isArray(op.parameters)) op.parameters = op.parameters.filter((p) => p.name !== 'fieldValidation');
    }
  }
  return encodeSwaggerDocument(doc);
}

export async function startOlderServer(cluster: TestCluster): Promise<OlderServer> {
  const protobuf = withoutFieldValidation(await fetchUpstream(cluster, '/openapi/v2'));
  const ca = makeCA('older-server-ca');
  const cert = makeSignedCert(ca, { commonName: 'older-server', dnsNames: ['localhost'], ips: ['127.0.0.1'] });
  const upstream = new URL(cluster.access.server);
  const server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/openapi/v3')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404 page not found');
      return;
    }
    if (url.startsWith('/openapi/v2')) {
      res.writeHead(200, { 'Content-Type': openApiV2ContentType, 'Content-Length': protobuf.length });
      res.end(protobuf);
      return;
    }
    const forward = https.request(
      { host: upstream.hostname, port: upstream.port, path: url, method: req.method, headers: { ...req.headers, host: upstream.host }, ca: cluster.access.caPem },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const kubeconfig = path.join(cluster.dir, 'older-server-kubeconfig');
  fs.writeFileSync(kubeconfig, renderKubeconfig({ server: `https://127.0.0.1:${port}`, caPem: ca.certPem, token: cluster.access.token, name: 'older' }));
  return {
    kubeconfig,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
