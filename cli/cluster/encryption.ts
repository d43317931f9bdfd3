// Encryption at rest for `gantry up`: at first start, one fresh AES-256 key for Secrets in
// $GANTRY_HOME/pki/encryption-config.yaml (0600), then kept across restarts. A file the user
// edited (for a key rotation) is used as it is.

import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export const encryptionConfigFileName = 'encryption-config.yaml';

/** Kubernetes' EncryptionConfiguration: the new key writes; identity last reads Secrets stored before encryption was on. */
export function renderEncryptionConfig(keyName: string, secret: Buffer): string {
  return [
    'apiVersion: apiserver.config.k8s.io/v1',
    'kind: EncryptionConfiguration',
    'resources:',
    '  - resources:',
    '      - secrets',
    '    providers:',
    '      - aesgcm:',
    '          keys:',
    `            - name: ${keyName}`,
    `              secret: ${secret.toString('base64')}`,
    '      - identity: {}',
    '',
  ].join('\n');
}

/** Returns the config's path, creating it with a new 32-byte key when it does not exist yet. */
export function ensureEncryptionConfig(pkiDir: string, now: Date = new Date()): string {
  fs.mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
  const file = path.join(pkiDir, encryptionConfigFileName);
  // The date in the name tells keys apart after a rotation adds another.
  const name = `key-${now.toISOString().slice(0, 10).replace(/-/g, '')}`;
  try {
    // 'wx': never overwrite a key that may already protect stored Secrets.
    fs.writeFileSync(file, renderEncryptionConfig(name, randomBytes(32)), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  // A key readable by others is no secret: tighten a file copied in with a looser mode.
  fs.chmodSync(file, 0o600);
  return file;
}
