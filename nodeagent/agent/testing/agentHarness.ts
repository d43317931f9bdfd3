// A one-node cluster for the agent's integration tests: etcd and the API server as processes,
// a real registry holding the buildah-built test images (as docker.io's mirror), a runc test
// environment (bridge, subnet, cgroup root of its own) and the node agent as a process that a
// test can SIGKILL and start again. The agent speaks TLS both ways with certificates from a
// test CA; the API server gets the matching client certificate to proxy logs and exec.
// close() runs the agent's own teardown, then the runtime test environment's cleanup, and
// returns whatever either had to remove forcibly.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RestClient } from '../../../common/client/restClient.js';
import { renderKubeconfig } from '../../../common/kubeconfig.js';
import { buildTestImages } from '../../../common/images/testImages.js';
import { startRegistry, type LocalRegistry } from '../../../common/images/registryProcess.js';
import { makeCA, makeSignedCert } from '../../../common/pki/certs.js';
import { componentCommand } from '../../../common/proc/components.js';
import { freePort } from '../../../common/proc/ports.js';
import { stopChild } from '../../../common/proc/stopChild.js';
import { startProcessCluster, type ProcessCluster } from '../../../common/testing/cluster.js';
import { mirrorTo } from '../../testing/imageFixtures.js';
import { makeRuncTestEnv, type RuncTestEnv } from '../../runtime/testing/testEnv.js';

export interface AgentHarness {
  cluster: ProcessCluster;
  client: RestClient;
  registry: LocalRegistry;
  env: RuncTestEnv;
  nodeName: string;
  agentRoot: string;
  agentLog: string;
  readonly agentPid: number;
  /** Starts the agent process (again); resolves once it is listening. */
  startAgent(): Promise<void>;
  /** Sends `signal` to the agent and waits for it to exit. */
  stopAgent(signal?: NodeJS.Signals): Promise<void>;
  /** Runs the real kubectl against the cluster. */
  kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<string[]>;
}

export interface AgentHarnessOptions {
  agentFlags?: string[];
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export async function startAgentHarness(opts: AgentHarnessOptions = {}): Promise<AgentHarness> {
  const env = await makeRuncTestEnv('agt');
  const nodeName = `node-${randomBytes(3).toString('hex')}`;
  const pki = path.join(env.root, 'pki');
  fs.mkdirSync(pki, { recursive: true });
  const ca = makeCA('gantry-test-kubelet-ca');
  const serving = makeSignedCert(ca, { commonName: nodeName, dnsNames: [nodeName], ips: ['127.0.0.1'] });
  const apiClient = makeSignedCert(ca, { commonName: 'gantry-apiserver-kubelet-client', dnsNames: [], ips: [], usage: 'client' });
  const files: Record<string, string> = {};
  for (const [name, text] of Object.entries({ 'ca.crt': ca.certPem, 'agent.crt': serving.certPem, 'agent.key': serving.keyPem, 'apiclient.crt': apiClient.certPem, 'apiclient.key': apiClient.keyPem })) {
    files[name] = path.join(pki, name);
    fs.writeFileSync(files[name], text, { mode: 0o600 });
  }
  const nodeToken = randomBytes(20).toString('hex');
  let cluster: ProcessCluster | undefined;
  let registry: LocalRegistry | undefined;
  try {
    cluster = await startProcessCluster({
      extraTokens: [{ token: nodeToken, user: `system:node:${nodeName}`, groups: ['system:nodes'] }],
      apiServerFlags: ['--kubelet-client-cert-file', files['apiclient.crt']!, '--kubelet-client-key-file', files['apiclient.key']!, '--kubelet-certificate-authority', files['ca.crt']!],
    });
    registry = await startRegistry({ dir: path.join(env.root, 'registry') });
    await buildTestImages(registry);
  } catch (e) {
    await cluster?.close();
    await registry?.stop();
    await env.cleanup();
    throw e;
  }
  const agentRoot = path.join(env.root, 'agent');
  const agentKubeconfig = path.join(pki, 'agent.kubeconfig');
  fs.writeFileSync(agentKubeconfig, renderKubeconfig({ server: cluster.access.server, caPem: cluster.access.caPem, token: nodeToken }), { mode: 0o600 });
  const registriesFile = path.join(pki, 'registries.yaml');
  fs.writeFileSync(registriesFile, JSON.stringify(mirrorTo(registry)));
  const kubeCache = path.join(env.root, 'kube-cache');
  const agentLog = path.join(env.root, 'agent.log');
  const port = await freePort();
  let child: ChildProcess | undefined;

  const h: AgentHarness = {
    cluster,
    client: cluster.client,
    registry,
    env,
    nodeName,
    agentRoot,
    agentLog,
    get agentPid() {
      return child?.pid ?? 0;
    },
    async startAgent() {
      const { command, args } = componentCommand('nodeagent/main');
      const fd = fs.openSync(agentLog, 'a');
      child = spawn(command, [
        ...args,
        '--kubeconfig', agentKubeconfig,
        '--node-name', nodeName,
        '--root', agentRoot,
        '--address', '127.0.0.1',
        '--listen-host', '127.0.0.1',
        '--port', String(port),
        '--tls-cert-file', files['agent.crt']!,
        '--tls-key-file', files['agent.key']!,
        '--client-ca-file', files['ca.crt']!,
        '--registries-file', registriesFile,
        '--pod-subnet', env.subnet,
        '--bridge', env.bridge,
        '--cgroup-root', env.cgroupRoot.replace(/^\//, ''),
        '--backoff-initial-seconds', '1',
        '--backoff-max-seconds', '8',
        '--relist-millis', '250',
        '--log-level', 'debug',
        ...(opts.agentFlags ?? []),
      ], { stdio: ['ignore', fd, fd] });
      fs.closeSync(fd);
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`the agent exited (${child.exitCode}):\n${tail(agentLog)}`);
        if (fs.readFileSync(agentLog, 'utf8').includes('"agent listening"')) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`the agent did not start:\n${tail(agentLog)}`);
    },
    async stopAgent(signal: NodeJS.Signals = 'SIGTERM') {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const c = child;
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill(signal);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (c.exitCode === null && c.signalCode === null) await stopChild(c, 1000);
    },
    kubectl(args: string[], input?: string) {
      return new Promise((resolve) => {
        const p = spawn('kubectl', ['--kubeconfig', cluster!.kubeconfig, '--cache-dir', kubeCache, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
        if (input !== undefined) p.stdin.end(input);
        else p.stdin.end();
      });
    },
    async close() {
      const problems: string[] = [];
      await h.stopAgent('SIGTERM');
      const { command, args } = componentCommand('nodeagent/teardown');
      const teardown = await new Promise<{ code: number; stderr: string }>((resolve) => {
        const p = spawn(command, [...args, '--root', agentRoot, '--bridge', env.bridge, '--pod-subnet', env.subnet, '--cgroup-root', env.cgroupRoot.replace(/^\//, '')], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        p.on('close', (code) => resolve({ code: code ?? -1, stderr }));
      });
      if (teardown.code !== 0) problems.push(`agent teardown: ${teardown.stderr.trim()}`);
      await cluster!.close();
      await registry!.stop();
      problems.push(...(await env.cleanup()));
      return problems;
    },
  };
  return h;
}
