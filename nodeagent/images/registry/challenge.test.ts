import { expect } from 'chai';
import { parseChallenges } from './challenge.js';

describe('WWW-Authenticate challenges', () => {
  const cases: Array<{ name: string; header: string | string[]; want: Array<{ scheme: string; params: Record<string, string> }> }> = [
    {
      name: 'Bearer with realm, service and scope',
      header: 'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:library/busybox:pull"',
      want: [{ scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:library/busybox:pull' } }],
    },
    { name: 'Basic', header: 'Basic realm="Registry Realm"', want: [{ scheme: 'basic', params: { realm: 'Registry Realm' } }] },
    { name: 'unquoted values and spaces', header: 'Bearer  realm=x , service=y', want: [{ scheme: 'bearer', params: { realm: 'x', service: 'y' } }] },
    { name: 'escaped quote', header: 'Basic realm="a \\"b\\""', want: [{ scheme: 'basic', params: { realm: 'a "b"' } }] },
    {
      name: 'two challenges in one header',
      header: 'Basic realm="r", Bearer realm="t",service="s"',
      want: [
        { scheme: 'basic', params: { realm: 'r' } },
        { scheme: 'bearer', params: { realm: 't', service: 's' } },
      ],
    },
    { name: 'several headers', header: ['Basic realm="r"', 'Bearer realm="t"'], want: [{ scheme: 'basic', params: { realm: 'r' } }, { scheme: 'bearer', params: { realm: 't' } }] },
    { name: 'empty', header: '', want: [] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(parseChallenges(tc.header)).to.deep.equal(tc.want);
    });
  }
});
