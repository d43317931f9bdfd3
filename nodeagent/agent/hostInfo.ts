// What the agent reports about its host: CPU and memory capacity, identity and versions.
// Read once at start (capacity does not change under a running agent).

import fs from 'node:fs';
import os from 'node:os';

export interface HostInfo {
  cpuCores: number;
  memoryBytes: bigint;
  hostname: string;
  machineId: string;
  bootId: string;
  kernelVersion: string;
  osImage: string;
  architecture: string;
}

function readTrimmed(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function osImage(): string {
  const release = readTrimmed('/etc/os-release');
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(release);
  return m?.[1] ?? 'Linux';
}

const archNames: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export function readHostInfo(): HostInfo {
  return {
    // availableParallelism honours CPU affinity (a container-limited host), like the kubelet's cadvisor count.
    cpuCores: os.availableParallelism(),
    memoryBytes: BigInt(os.totalmem()),
    hostname: os.hostname(),
    machineId: readTrimmed('/etc/machine-id'),
    bootId: readTrimmed('/proc/sys/kernel/random/boot_id'),
    kernelVersion: os.release(),
    osImage: osImage(),
    architecture: archNames[process.arch] ?? process.arch,
  };
}
