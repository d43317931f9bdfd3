import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { ApiError, NotFoundError } from '../../common/errors.js';
import { agentEndpointFor } from './nodeEndpoint.js';

const pod = (nodeName?: string): KubeObject => ({ metadata: { name: 'p' }, spec: nodeName ? { nodeName } : {} });
const node = (status: Record<string, unknown>): KubeObject => ({ metadata: { name: 'n' }, status });
const addr = (type: string, address: string): { type: string; address: string } => ({ type, address });

const cases: { name: string; pod: KubeObject; node?: KubeObject; want?: { host: string; port: number }; reason?: string; message?: string }[] = [
  { name: 'InternalIP and the advertised port', pod: pod('n'), node: node({ addresses: [addr('Hostname', 'h'), addr('InternalIP', '10.0.0.5')], daemonEndpoints: { kubeletEndpoint: { Port: 10260 } } }), want: { host: '10.0.0.5', port: 10260 } },
  { name: 'Hostname when there is no InternalIP', pod: pod('n'), node: node({ addresses: [addr('ExternalIP', '1.2.3.4'), addr('Hostname', 'node-a')], daemonEndpoints: { kubeletEndpoint: { Port: 1 } } }), want: { host: 'node-a', port: 1 } },
  { name: 'the kubelet port when none is advertised', pod: pod('n'), node: node({ addresses: [addr('InternalIP', 'fd00::5')] }), want: { host: 'fd00::5', port: 10250 } },
  { name: 'a pod without a node', pod: pod(), reason: 'BadRequest', message: 'pod p does not have a host assigned' },
  { name: 'a node without usable addresses', pod: pod('n'), node: node({ addresses: [addr('ExternalIP', '1.2.3.4')] }), reason: 'ServiceUnavailable' },
  { name: 'a node that does not exist', pod: pod('n'), reason: 'NotFound' },
];

describe('agentEndpointFor', () => {
  for (const tc of cases) {
    it(tc.name, async () => {
      const lookup = (name: string): Promise<KubeObject> => (tc.node ? Promise.resolve(tc.node) : Promise.reject(new NotFoundError({ resource: 'nodes', name })));
      const out = await agentEndpointFor(tc.pod, lookup).catch((e: unknown) => e);
      if (tc.want) {
        expect(out).to.deep.equal({ nodeName: 'n', ...tc.want });
        return;
      }
      expect(out).to.be.instanceOf(ApiError).with.property('reason', tc.reason);
      if (tc.message) expect((out as Error).message).to.equal(tc.message);
    });
  }
});
