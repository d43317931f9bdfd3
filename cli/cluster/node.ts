// A node of `gantry up`: its credentials and config under $GANTRY_HOME/nodes/<name>, and the
// command line of its agent (run inside its host's network namespace).

import fs from 'node:fs';
import path from 'node:path';
import { componentCommand } from '../../common/proc/components.js';
import { netnsPath } from './hosts/hostNamespace.js';
import { registriesConfigYaml } from './registry.js';
import type { NodeState } from './state.js';

export interface NodeFiles {
  dir: string;
  kubeconfig: string;
  serving: { cert: string; key: string };
  registriesFile: string;
}

/** What every agent of the cluster is told about the cluster. */
export interface ClusterNetworkFlags {
  /** Pods' addresses, split into per-node ranges by the node IPAM. */
  clusterCidr: string;
  /** The cluster DNS Service's ClusterIP. */
  clusterDns: string;
  clusterDomain: string;
}

export function nodeDir(home: string, nodeName: string): string {
  return path.join(home, 'nodes', nodeName);
}

/** The node agent's registries file in the node's directory: docker.io from the cluster registry. */
export function writeRegistriesFile(dir: string, registryUrl: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, 'registries.yaml');
  fs.writeFileSync(file, registriesConfigYaml(registryUrl));
  return file;
}

/** The agent's flags (the contract in nodeagent/agent/config.ts). */
export function agentArgs(node: NodeState, files: NodeFiles, clientCaFile: string, net: ClusterNetworkFlags): string[] {
  return [
    '--kubeconfig', files.kubeconfig,
    '--node-name', node.name,
    '--root', node.root,
    '--address', node.address,
    // Logs and exec are for the API server, which reaches the host at this address.
    '--listen-host', node.address,
    '--port', String(node.port),
    '--tls-cert-file', files.serving.cert,
    '--tls-key-file', files.serving.key,
    '--client-ca-file', clientCaFile,
    '--registries-file', files.registriesFile,
    ...(node.podSubnet ? ['--pod-subnet', node.podSubnet] : []),
    '--bridge', node.bridge,
    '--cgroup-root', node.cgroupRoot,
    '--cluster-cidr', net.clusterCidr,
    '--pod-network', node.podNetwork ?? 'none',
    '--proxy-mode', 'iptables',
    '--cluster-dns', net.clusterDns,
    '--cluster-domain', net.clusterDomain,
  ];
}

/** A component's command, run inside the node's host namespace when it has one. */
export function inHost(node: Pick<NodeState, 'netns'>, command: { command: string; args: string[] }): { command: string; args: string[] } {
  return node.netns ? { command: 'nsenter', args: [`--net=${netnsPath(node.netns)}`, '--', command.command, ...command.args] } : command;
}

export function agentCommand(node: Pick<NodeState, 'netns'>): { command: string; args: string[] } {
  return inHost(node, componentCommand('nodeagent/main'));
}

/** The agent's teardown flags: the same root, bridge, subnet and cgroup root it ran with. */
export function teardownArgs(node: NodeState): string[] {
  return [
    '--root', node.root,
    '--bridge', node.bridge,
    ...(node.podSubnet ? ['--pod-subnet', node.podSubnet] : []),
    ...(node.podNetwork ? ['--ip-masq', 'false'] : []),
    '--cgroup-root', node.cgroupRoot,
  ];
}
