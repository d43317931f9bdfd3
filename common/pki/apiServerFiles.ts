// The files an API server process needs to start: a CA, its serving certificate, and a
// token file with one admin token. Used by `gantry up`-like launchers in tests and benches.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { makeCA, makeSignedCert, type KeyPair } from './certs.js';

export interface ApiServerFiles {
  ca: KeyPair;
  token: string;
  cert: string;
  key: string;
  tokens: string;
}

export function writeApiServerFiles(dir: string, caName: string): ApiServerFiles {
  const ca = makeCA(caName);
  const serving = makeSignedCert(ca, { commonName: 'gantry-apiserver', dnsNames: ['localhost'], ips: ['127.0.0.1'] });
  const token = randomBytes(24).toString('hex');
  const files = { cert: path.join(dir, 'apiserver.crt'), key: path.join(dir, 'apiserver.key'), tokens: path.join(dir, 'tokens.csv') };
  fs.writeFileSync(files.cert, serving.certPem);
  fs.writeFileSync(files.key, serving.keyPem, { mode: 0o600 });
  fs.writeFileSync(files.tokens, `${token},admin,admin-uid,"system:masters"\n`, { mode: 0o600 });
  return { ca, token, ...files };
}
