// Node IPAM's factory, as registry.ts lists it. Options (config file,
// `controllerOptions.nodeipam`): clusterCIDR (default 10.244.0.0/16, kube-controller-manager's
// --cluster-cidr; must not overlap the Service range), nodeCIDRMaskSize (default 24: 254 pod
// addresses per node, 256 nodes).

import type { ControllerFactory } from '../context.js';
import { controllerOptions, optionsError } from '../options.js';
import { parseClusterCidr } from './cidrs.js';
import { NodeIpamController } from './controller.js';

export const defaultClusterCidr = '10.244.0.0/16';
export const defaultNodeCidrMaskSize = 24;

const options = controllerOptions<{ clusterCIDR: string; nodeCIDRMaskSize: number }>(
  'nodeipam',
  { clusterCIDR: { type: 'string', minLength: 1 }, nodeCIDRMaskSize: { type: 'integer', minimum: 1, maximum: 30 } },
  { clusterCIDR: defaultClusterCidr, nodeCIDRMaskSize: defaultNodeCidrMaskSize },
);

export const nodeIpamControllerFactory: ControllerFactory = (ctx) => {
  const o = options(ctx.options);
  let cidr;
  try {
    cidr = parseClusterCidr(o.clusterCIDR, o.nodeCIDRMaskSize);
  } catch (e) {
    throw optionsError('nodeipam', (e as Error).message, e);
  }
  return new NodeIpamController({ api: ctx.api, events: ctx.recorder('node-controller'), logger: ctx.logger, cidr }).registration();
};
