// The name of this machine's Node: its hostname as a DNS-1123 label (what a Node name
// must be for the kubelet's default), so `gantry up` works on hosts named `Dev_Box.local`.

import os from 'node:os';

const fallback = 'gantry-node';

/** Lowercase; every run of characters outside [a-z0-9] becomes one '-'; trimmed to 63. */
export function nodeNameFromHostname(hostname: string): string {
  const label = hostname
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
  return label || fallback;
}

export function isDnsLabel(name: string): boolean {
  return /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name);
}

export function defaultNodeName(): string {
  return nodeNameFromHostname(os.hostname());
}
