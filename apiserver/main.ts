// The API server process: `node dist/apiserver/main.js --etcd-endpoints ... --tls-cert-file ...`.

import fs from 'node:fs';
import { isIPv4 } from 'node:net';
import os from 'node:os';
import type { JSONSchemaType } from 'ajv';
import { ConfigError, loadConfig } from '../common/config.js';
import { createLogger, type Logger } from '../common/logging.js';
import { exitOnStopSignals } from '../common/proc/stopSignals.js';
import { gantryDefaultTolerationSeconds } from './admission/defaultTolerations.js';
import { TokenAuthenticator } from './auth/tokens.js';
import { IdentityLease } from './controlplane/identityLease.js';
import { ControlPlaneReconciler } from './controlplane/reconciler.js';
import type { KubeletClientCredentials } from './proxy/agentTls.js';
import { defaultServiceClusterIPRange, defaultServiceNodePortRange } from './registry/allocators/serviceAllocation.js';
import { NodePortRange, ServiceIPRange } from './registry/allocators/ranges.js';
import { startApiServer } from './server.js';
import { servingFlagDefaults, servingFlagNames, servingFlagProperties, servingLimitsFromFlags, withFlagNames, type ServingFlags } from './servingFlags.js';
import { EncryptionTransformer, type ValueTransformer } from './storage/encryption.js';
import { parseEncryptionConfig } from './storage/encryptionConfig.js';
import type { EtcdClientCredentials } from './storage/etcdStorage.js';
import type { ServingLimitsOverrides } from './http/servingLimits.js';
import { clusterLauncher, exitWithPrimary, isPoolPrimary, workerSlot } from './workers/clusterWorkers.js';
import { WorkerPool } from './workers/workerPool.js';

/** The serving limits' flags (--max-requests-inflight, --request-timeout, ...) are in servingFlags.ts. */
export interface ApiServerConfig extends ServingFlags {
  etcdEndpoints: string[];
  /** `--etcd-cafile`, `--etcd-certfile`, `--etcd-keyfile`: for an https etcd that requires client certificates. */
  etcdCafile?: string;
  etcdCertfile?: string;
  etcdKeyfile?: string;
  host: string;
  port: number;
  tlsCertFile: string;
  tlsKeyFile: string;
  tokenFile: string;
  /** `--client-ca-file`: accept client certificates this CA signed (CN = user, O = groups). */
  clientCaFile?: string;
  etcdPrefix: string;
  logLevel: string;
  /** Client certificate and key presented to node agents for pods/log and pods/exec. */
  kubeletClientCertFile?: string;
  kubeletClientKeyFile?: string;
  /** CA that signed the node agents' serving certificates. */
  kubeletCertificateAuthority?: string;
  /** `--service-cluster-ip-range`: the CIDR Service cluster IPs come from. */
  serviceClusterIpRange: string;
  /** `--service-node-port-range`: the ports NodePort and LoadBalancer Services open on every node. */
  serviceNodePortRange: string;
  /** `--default-not-ready-toleration-seconds` / `--default-unreachable-toleration-seconds` (Kubernetes: 300). */
  defaultNotReadyTolerationSeconds: number;
  defaultUnreachableTolerationSeconds: number;
  /** `--advertise-address`: where the `kubernetes` Service's endpoints point; '' = the listen host, or 127.0.0.1 for 0.0.0.0. */
  advertiseAddress: string;
  /** `--encryption-provider-config`: an EncryptionConfiguration file; without it values are stored plain. */
  encryptionProviderConfig?: string;
  /** `--workers`: API server processes sharing the port (workers/workerPool.ts); 1 = this process serves. */
  workers: number;
}

const schema: JSONSchemaType<ApiServerConfig> = {
  type: 'object',
  properties: {
    etcdEndpoints: { type: 'array', items: { type: 'string', pattern: '^https?://' }, minItems: 1 },
    etcdCafile: { type: 'string', minLength: 1, nullable: true },
    etcdCertfile: { type: 'string', minLength: 1, nullable: true },
    etcdKeyfile: { type: 'string', minLength: 1, nullable: true },
    host: { type: 'string' },
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    tlsCertFile: { type: 'string', minLength: 1 },
    tlsKeyFile: { type: 'string', minLength: 1 },
    tokenFile: { type: 'string', minLength: 1 },
    clientCaFile: { type: 'string', minLength: 1, nullable: true },
    etcdPrefix: { type: 'string', pattern: '^/.*/$' },
    logLevel: { type: 'string', enum: ['error', 'warn', 'info', 'debug'] },
    kubeletClientCertFile: { type: 'string', minLength: 1, nullable: true },
    kubeletClientKeyFile: { type: 'string', minLength: 1, nullable: true },
    kubeletCertificateAuthority: { type: 'string', minLength: 1, nullable: true },
    serviceClusterIpRange: { type: 'string', minLength: 1 },
    serviceNodePortRange: { type: 'string', minLength: 1 },
    defaultNotReadyTolerationSeconds: { type: 'integer', minimum: 0 },
    defaultUnreachableTolerationSeconds: { type: 'integer', minimum: 0 },
    advertiseAddress: { type: 'string' },
    encryptionProviderConfig: { type: 'string', minLength: 1, nullable: true },
    workers: { type: 'integer', minimum: 1, maximum: 64 },
    ...servingFlagProperties,
  },
  required: [...servingFlagNames, 'etcdEndpoints', 'host', 'port', 'tlsCertFile', 'tlsKeyFile', 'tokenFile', 'etcdPrefix', 'logLevel', 'serviceClusterIpRange', 'serviceNodePortRange', 'defaultNotReadyTolerationSeconds', 'defaultUnreachableTolerationSeconds', 'advertiseAddress', 'workers'],
  additionalProperties: false,
};

const defaults: Partial<ApiServerConfig> = {
  host: '127.0.0.1',
  port: 6443,
  etcdPrefix: '/registry/',
  logLevel: 'info',
  serviceClusterIpRange: defaultServiceClusterIPRange,
  serviceNodePortRange: defaultServiceNodePortRange,
  defaultNotReadyTolerationSeconds: gantryDefaultTolerationSeconds.notReady,
  defaultUnreachableTolerationSeconds: gantryDefaultTolerationSeconds.unreachable,
  advertiseAddress: '',
  workers: 1,
  ...servingFlagDefaults,
};

function readFile(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read ${what} ${file}: ${(e as Error).message}`);
  }
}

/** Both files or neither: a certificate without its key (or the reverse) is a mistake worth stopping for. */
function kubeletClient(cfg: ApiServerConfig): KubeletClientCredentials | undefined {
  const { kubeletClientCertFile: cert, kubeletClientKeyFile: key, kubeletCertificateAuthority: ca } = cfg;
  if (!cert && !key) {
    if (ca) throw new ConfigError('--kubelet-certificate-authority needs --kubelet-client-cert-file and --kubelet-client-key-file');
    return undefined;
  }
  if (!cert || !key) throw new ConfigError('--kubelet-client-cert-file and --kubelet-client-key-file go together');
  const out: KubeletClientCredentials = { certPem: readFile(cert, 'kubelet client certificate'), keyPem: readFile(key, 'kubelet client key') };
  if (ca) out.caPem = readFile(ca, 'kubelet certificate authority');
  return out;
}

/** All three files or none; they make sense only for https endpoints. */
function etcdTls(cfg: ApiServerConfig): EtcdClientCredentials | undefined {
  const { etcdCafile: ca, etcdCertfile: cert, etcdKeyfile: key } = cfg;
  if (!ca && !cert && !key) return undefined;
  if (!ca || !cert || !key) throw new ConfigError('--etcd-cafile, --etcd-certfile and --etcd-keyfile go together');
  const plain = cfg.etcdEndpoints.filter((e) => !e.startsWith('https://'));
  if (plain.length) throw new ConfigError(`--etcd-certfile is given but --etcd-endpoints ${plain.join(',')} ${plain.length === 1 ? 'is' : 'are'} not https`);
  return { caPem: readFile(ca, 'etcd CA'), certPem: readFile(cert, 'etcd client certificate'), keyPem: readFile(key, 'etcd client key') };
}

/** A malformed range stops the server at start, not at the first Service. */
function serviceRanges(cfg: ApiServerConfig): void {
  const check = (flag: string, parse: () => unknown): void => {
    try {
      parse();
    } catch (e) {
      throw new ConfigError(`${flag}: ${(e as Error).message}`);
    }
  };
  check('--service-cluster-ip-range', () => ServiceIPRange.parse(cfg.serviceClusterIpRange));
  check('--service-node-port-range', () => NodePortRange.parse(cfg.serviceNodePortRange));
}

/** The address other hosts reach this API server at: a unicast IPv4 address (it goes into Endpoints). */
function advertiseAddress(cfg: ApiServerConfig): string {
  const first = String(cfg.host).split(',')[0]!.trim();
  const ip = cfg.advertiseAddress || (first === '0.0.0.0' || first === '' ? '127.0.0.1' : first);
  if (!isIPv4(ip) || ip === '0.0.0.0') {
    throw new ConfigError(`--advertise-address ${JSON.stringify(ip)}${cfg.advertiseAddress ? '' : ' (from --host)'} must be an IPv4 address other than 0.0.0.0`);
  }
  return ip;
}

/** A bad config stops the server at start: serving with the wrong keys would hide or strand Secrets. */
function encryption(cfg: ApiServerConfig): ValueTransformer | undefined {
  if (!cfg.encryptionProviderConfig) return undefined;
  const config = parseEncryptionConfig(readFile(cfg.encryptionProviderConfig, 'encryption provider config'));
  return new EncryptionTransformer(config, cfg.etcdPrefix);
}

interface Settings {
  cfg: ApiServerConfig;
  kubelet: KubeletClientCredentials | undefined;
  etcd: EtcdClientCredentials | undefined;
  advertise: string;
  transformer: ValueTransformer | undefined;
  limits: ServingLimitsOverrides;
}

/** Every setting checked before any process is forked or any connection opened: a mistake exits 2. */
function settings(): Settings {
  try {
    let cfg: ApiServerConfig;
    try {
      cfg = loadConfig(schema, defaults, process.argv.slice(2), 'GANTRY_APISERVER');
    } catch (e) {
      throw new ConfigError(withFlagNames((e as Error).message, Object.keys(schema.properties)));
    }
    return { cfg, limits: servingLimitsFromFlags(cfg), kubelet: kubeletClient(cfg), etcd: etcdTls(cfg), advertise: (serviceRanges(cfg), advertiseAddress(cfg)), transformer: encryption(cfg) };
  } catch (e) {
    process.stderr.write(`gantry-apiserver: ${(e as Error).message}\n`);
    process.exit(2);
  }
}

/** The primary of `--workers N`: holds the port and keeps N API server processes running. */
async function runPool(cfg: ApiServerConfig, logger: Logger): Promise<void> {
  const pool = new WorkerPool({ count: cfg.workers, launch: clusterLauncher(), logger });
  exitOnStopSignals(logger, 'shutting down the API server workers', () => pool.stop());
  await pool.start();
  logger.info('API server workers listening', { workers: cfg.workers, pids: pool.pids(), port: cfg.port });
}

/** One API server in this process: the whole server when alone, or one worker of a pool. */
async function runServer({ cfg, kubelet, etcd, advertise, transformer, limits }: Settings, logger: Logger): Promise<void> {
  const slot = workerSlot();
  try {
    const server = await startApiServer({
      etcdEndpoints: cfg.etcdEndpoints,
      ...(transformer ? { valueTransformer: transformer } : {}),
      ...(etcd ? { etcdTls: etcd } : {}),
      host: cfg.host,
      port: cfg.port,
      tls: {
        certPem: readFile(cfg.tlsCertFile, 'TLS certificate'),
        keyPem: readFile(cfg.tlsKeyFile, 'TLS key'),
        ...(cfg.clientCaFile ? { clientCaPem: readFile(cfg.clientCaFile, 'client CA') } : {}),
      },
      authenticator: TokenAuthenticator.fromFile(cfg.tokenFile),
      logger,
      etcdPrefix: cfg.etcdPrefix,
      serviceClusterIPRange: cfg.serviceClusterIpRange,
      serviceNodePortRange: cfg.serviceNodePortRange,
      defaultTolerationSeconds: { notReady: cfg.defaultNotReadyTolerationSeconds, unreachable: cfg.defaultUnreachableTolerationSeconds },
      ...(kubelet ? { kubeletClient: kubelet } : {}),
      limits,
      // Several workers compacting would each cut the others' watch windows: the first one does it.
      compaction: slot === undefined || slot === 0,
    });
    // The `kubernetes` Service in `default`, as kube-apiserver keeps it.
    const controlPlane = new ControlPlaneReconciler({ stores: server.stores, serviceIP: ServiceIPRange.parse(cfg.serviceClusterIpRange).at(0), advertiseAddress: advertise, port: server.port, logger });
    controlPlane.start();
    const identity = new IdentityLease({ leases: server.stores.get('coordination.k8s.io/leases')!, hostname: os.hostname(), port: server.port, ...(slot !== undefined ? { slot } : {}), logger });
    identity.start();
    const stop = exitOnStopSignals(logger, 'shutting down', () => Promise.all([controlPlane.stop(), identity.stop()]).then(() => server.close()));
    if (slot !== undefined) exitWithPrimary(stop);
  } catch (e) {
    logger.error('API server failed to start', { error: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const s = settings();
  const logger = createLogger('apiserver', { level: s.cfg.logLevel });
  const slot = workerSlot();
  if (s.cfg.workers > 1 && isPoolPrimary()) return runPool(s.cfg, logger);
  await runServer(s, slot === undefined ? logger : logger.child({ worker: slot }));
}

void main();
