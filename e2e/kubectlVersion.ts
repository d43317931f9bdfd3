// One specific kubectl release from this machine (kubectlBinary: kubectl.1.NN), not the
// dispatcher on PATH that picks by server version: compatibility tests pin each release. Each
// gets a fresh cache dir, so its discovery and OpenAPI requests really reach our server instead
// of another release's cached answers.

import fs from 'node:fs';
import path from 'node:path';
import { kubectlBinary, makeKubectl, type Kubectl, type KubectlResult } from './kubectl.js';

/** kubectl 1.<minor> against `kubeconfig`, caching under a new directory inside `cacheParent`. */
export function kubectlVersion(minor: number, kubeconfig: string, cacheParent: string): Kubectl {
  const binary = kubectlBinary(minor);
  if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: this machine should have kubectl 1.27-1.33 there`);
  fs.mkdirSync(cacheParent, { recursive: true });
  const cacheDir = fs.mkdtempSync(path.join(cacheParent, `kube-cache-1.${minor}-`));
  return makeKubectl(kubeconfig, cacheDir, binary);
}

/** A kubectl run as text worth reading in an assertion message. */
export function showRun(r: KubectlResult): string {
  return `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
}
