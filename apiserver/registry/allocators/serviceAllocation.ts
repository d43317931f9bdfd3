// Builds the Service allocator and its repair pass from the API server's settings: the
// one place that knows where claims live in etcd.

import type { Clock } from '../../../common/clock.js';
import type { Logger } from '../../../common/logging.js';
import type { Storage } from '../../storage/storage.js';
import { ClaimStore } from './claims.js';
import { RangeAllocator, type Random } from './rangeAllocator.js';
import { NodePortRange, ServiceIPRange } from './ranges.js';
import { ServiceClaimRepair } from './repair.js';
import { ServiceAllocator } from './serviceAllocator.js';

/** kubeadm's default `--service-cluster-ip-range`. */
export const defaultServiceClusterIPRange = '10.96.0.0/12';
/** Kubernetes' default `--service-node-port-range`. */
export const defaultServiceNodePortRange = '30000-32767';

export interface ServiceAllocationOptions {
  storage: Storage;
  /** Key root, e.g. `/registry/`. */
  root: string;
  clock: Clock;
  logger: Logger;
  serviceClusterIPRange?: string;
  serviceNodePortRange?: string;
  random?: Random;
  /** How old an orphaned claim must be before repair frees it. */
  repairGraceMs?: number;
}

export interface ServiceAllocation {
  allocator: ServiceAllocator;
  repair: ServiceClaimRepair;
}

/** Throws RangeConfigError for a malformed range. */
export function serviceAllocation(opts: ServiceAllocationOptions): ServiceAllocation {
  const ipRange = ServiceIPRange.parse(opts.serviceClusterIPRange ?? defaultServiceClusterIPRange);
  const portRange = NodePortRange.parse(opts.serviceNodePortRange ?? defaultServiceNodePortRange);
  const ipClaims = new ClaimStore(
    opts.storage,
    {
      // Where a served networking.k8s.io/v1 IPAddress resource keeps its objects.
      prefix: `${opts.root}ipaddresses.networking.k8s.io/`,
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IPAddress',
      labels: { 'ipaddress.kubernetes.io/ip-family': ipRange.family, 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io' },
    },
    opts.clock,
  );
  // Kubernetes keeps one node-port bitmap at ranges/servicenodeports; here one key per port.
  const portClaims = new ClaimStore(opts.storage, { prefix: `${opts.root}ranges/servicenodeports/`, apiVersion: 'internal.gantry.dev/v1', kind: 'NodePortClaim' }, opts.clock);
  const ips = new RangeAllocator(ipRange, ipClaims, opts.random);
  const ports = new RangeAllocator(portRange, portClaims, opts.random);
  const logger = opts.logger.child({ subsystem: 'service-allocation' });
  return {
    allocator: new ServiceAllocator({ ips, ports, logger }),
    repair: new ServiceClaimRepair({
      storage: opts.storage,
      servicesPrefix: `${opts.root}services/`,
      ips,
      ports,
      clock: opts.clock,
      logger,
      ...(opts.repairGraceMs !== undefined ? { graceMs: opts.repairGraceMs } : {}),
    }),
  };
}
