// This machine's node: its credentials and config under $GANTRY_HOME/nodes/<name>, and
// the command line of its agent.

import fs from 'node:fs';
import path from 'node:path';
import { renderKubeconfig } from '../../common/kubeconfig.js';
import { ensureNodeServingCert, ensureToken, type ClusterPki } from './pki.js';
import { registriesConfigYaml } from './registry.js';
import type { NodeState } from './state.js';

/** The address the agent advertises and the API server dials: loopback, a one-machine cluster. */
export const nodeAddress = '127.0.0.1';

export interface NodeFiles {
  dir: string;
  kubeconfig: string;
  serving: { cert: string; key: string };
  registriesFile: string;
}

export function nodeDir(home: string, nodeName: string): string {
  return path.join(home, 'nodes', nodeName);
}

/** Writes the node's token (tokens.csv), kubeconfig, serving certificate and registries file. */
export function writeNodeFiles(home: string, nodeName: string, pki: ClusterPki, server: string, registryUrl: string): NodeFiles {
  const dir = nodeDir(home, nodeName);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // The identity the API server knows nodes by: user system:node:<name> in group system:nodes.
  const token = ensureToken(pki.tokenFile, `system:node:${nodeName}`, `node-${nodeName}`, ['system:nodes']);
  const kubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(kubeconfig, renderKubeconfig({ server, caPem: pki.ca.certPem, token, user: `system:node:${nodeName}` }), { mode: 0o600 });
  const serving = ensureNodeServingCert(dir, pki.ca, nodeName, nodeAddress);
  const registriesFile = path.join(dir, 'registries.yaml');
  fs.writeFileSync(registriesFile, registriesConfigYaml(registryUrl));
  return { dir, kubeconfig, serving, registriesFile };
}

/** The agent's flags (the contract in nodeagent/agent/config.ts). */
export function agentArgs(node: NodeState, files: NodeFiles, clientCaFile: string): string[] {
  return [
    '--kubeconfig', files.kubeconfig,
    '--node-name', node.name,
    '--root', node.root,
    '--address', nodeAddress,
    // Logs and exec are for the API server on this machine only.
    '--listen-host', nodeAddress,
    '--port', String(node.port),
    '--tls-cert-file', files.serving.cert,
    '--tls-key-file', files.serving.key,
    '--client-ca-file', clientCaFile,
    '--registries-file', files.registriesFile,
    '--pod-subnet', node.podSubnet,
    '--bridge', node.bridge,
    '--cgroup-root', node.cgroupRoot,
  ];
}

/** The agent's teardown flags: the same root, bridge, subnet and cgroup root it ran with. */
export function teardownArgs(node: NodeState): string[] {
  return ['--root', node.root, '--bridge', node.bridge, '--pod-subnet', node.podSubnet, '--cgroup-root', node.cgroupRoot];
}
