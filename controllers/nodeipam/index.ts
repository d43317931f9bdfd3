// Node IPAM's factory, as registry.ts lists it. Options (config file,
// `controllerOptions.nodeipam`): clusterCIDR (default 10.244.0.0/16, kube-controller-manager's
// --cluster-cidr; must not overlap the Service range), nodeCIDRMaskSize (default 24: 254 pod
// addresses per node, 256 nodes).

import { Ajv, type JSONSchemaType } from 'ajv';
import type { ControllerFactory } from '../context.js';
import { parseClusterCidr } from './cidrs.js';
import { NodeIpamController } from './controller.js';

interface NodeIpamOptions {
  clusterCIDR?: string;
  nodeCIDRMaskSize?: number;
}

export const defaultClusterCidr = '10.244.0.0/16';
export const defaultNodeCidrMaskSize = 24;

const schema: JSONSchemaType<NodeIpamOptions> = {
  type: 'object',
  properties: {
    clusterCIDR: { type: 'string', minLength: 1, nullable: true },
    nodeCIDRMaskSize: { type: 'integer', minimum: 1, maximum: 30, nullable: true },
  },
  additionalProperties: false,
};
const validate = new Ajv({ allErrors: true }).compile(schema);

export const nodeIpamControllerFactory: ControllerFactory = (ctx) => {
  const o: unknown = ctx.options;
  if (!validate(o)) {
    const problems = (validate.errors ?? []).map((e) => (e.keyword === 'additionalProperties' ? `unknown setting ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}` : `${e.instancePath.slice(1) || 'options'} ${e.message ?? 'is invalid'}`));
    throw new Error(`controllerOptions.nodeipam: ${problems.join('; ')}`);
  }
  let cidr;
  try {
    cidr = parseClusterCidr(o.clusterCIDR ?? defaultClusterCidr, o.nodeCIDRMaskSize ?? defaultNodeCidrMaskSize);
  } catch (e) {
    throw new Error(`controllerOptions.nodeipam: ${(e as Error).message}`, { cause: e });
  }
  return new NodeIpamController({ api: ctx.api, events: ctx.recorder('node-controller'), logger: ctx.logger, cidr }).registration();
};
