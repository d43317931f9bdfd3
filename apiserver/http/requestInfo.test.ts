import { expect } from 'chai';
import { resolveRequest, type RequestInfo } from './requestInfo.js';

const cases: { name: string; method: string; url: string; want: Partial<RequestInfo> }[] = [
  { name: 'list pods in a namespace', method: 'GET', url: '/api/v1/namespaces/default/pods', want: { kind: 'resource', resource: 'pods', namespace: 'default', verb: 'list' } },
  { name: 'list pods everywhere', method: 'GET', url: '/api/v1/pods', want: { resource: 'pods', verb: 'list' } },
  { name: 'watch via query', method: 'GET', url: '/api/v1/namespaces/a/pods?watch=true', want: { verb: 'watch' } },
  { name: 'get a namespace', method: 'GET', url: '/api/v1/namespaces/kube-system', want: { resource: 'namespaces', name: 'kube-system', verb: 'get' } },
  { name: 'namespace status', method: 'PUT', url: '/api/v1/namespaces/a/status', want: { resource: 'namespaces', name: 'a', subresource: 'status', verb: 'update' } },
  { name: 'deployment scale', method: 'PATCH', url: '/apis/apps/v1/namespaces/d/deployments/web/scale', want: { group: 'apps', resource: 'deployments', name: 'web', subresource: 'scale', verb: 'patch' } },
  { name: 'pod binding', method: 'POST', url: '/api/v1/namespaces/d/pods/p/binding', want: { subresource: 'binding', verb: 'create' } },
  { name: 'pod logs', method: 'GET', url: '/api/v1/namespaces/d/pods/p/log', want: { subresource: 'log', verb: 'connect' } },
  { name: 'pod exec over SPDY (POST)', method: 'POST', url: '/api/v1/namespaces/d/pods/p/exec', want: { subresource: 'exec', verb: 'connect' } },
  { name: 'pod attach over a websocket (GET)', method: 'GET', url: '/api/v1/namespaces/d/pods/p/attach', want: { subresource: 'attach', verb: 'connect' } },
  { name: 'pod portforward over SPDY (POST)', method: 'POST', url: '/api/v1/namespaces/d/pods/p/portforward', want: { subresource: 'portforward', verb: 'connect' } },
  { name: 'delete collection', method: 'DELETE', url: '/api/v1/namespaces/d/pods', want: { verb: 'deletecollection' } },
  { name: 'cluster-scoped node', method: 'GET', url: '/api/v1/nodes/n1', want: { resource: 'nodes', name: 'n1' } },
  { name: 'discovery is not a resource', method: 'GET', url: '/apis/apps/v1', want: { kind: 'nonresource' } },
  { name: 'version', method: 'GET', url: '/version', want: { kind: 'nonresource' } },
];

describe('resolveRequest', () => {
  for (const tc of cases) {
    it(tc.name, () => {
      const u = new URL(tc.url, 'https://x');
      const got = resolveRequest(tc.method, u.pathname, u.searchParams);
      expect(got).to.deep.include(tc.want);
      if (tc.name.includes('everywhere') || tc.name.includes('cluster-scoped')) expect(got).not.to.have.property('namespace');
    });
  }
});
