import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { chooseContainer } from './containerChoice.js';

function pod(containers: string[], opts: { init?: string[]; defaultContainer?: string } = {}): KubeObject {
  return {
    metadata: { name: 'p', ...(opts.defaultContainer ? { annotations: { 'kubectl.kubernetes.io/default-container': opts.defaultContainer } } : {}) },
    spec: { containers: containers.map((name) => ({ name })), ...(opts.init ? { initContainers: opts.init.map((name) => ({ name })) } : {}) },
  };
}

const cases: { name: string; pod: KubeObject; requested: string | null; want?: string; error?: string }[] = [
  { name: 'the only container', pod: pod(['a']), requested: null, want: 'a' },
  { name: 'the named container', pod: pod(['a', 'b']), requested: 'b', want: 'b' },
  { name: 'a named init container', pod: pod(['a'], { init: ['setup'] }), requested: 'setup', want: 'setup' },
  { name: 'the annotated default', pod: pod(['a', 'b'], { defaultContainer: 'b' }), requested: null, want: 'b' },
  { name: 'an annotation naming nothing falls back to the only container', pod: pod(['a'], { defaultContainer: 'zz' }), requested: null, want: 'a' },
  { name: 'several and none named', pod: pod(['a', 'b'], { init: ['setup'] }), requested: null, error: 'a container name must be specified for pod p, choose one of: [a b setup]' },
  { name: 'a name the pod does not have', pod: pod(['a']), requested: 'x', error: 'container x is not valid for pod p' },
  { name: 'no containers at all', pod: pod([]), requested: null, error: 'a container name must be specified for pod p' },
];

describe('chooseContainer', () => {
  for (const tc of cases) {
    it(tc.name, () => {
      if (tc.error) expect(() => chooseContainer(tc.pod, tc.requested)).to.throw(tc.error);
      else expect(chooseContainer(tc.pod, tc.requested)).to.equal(tc.want);
    });
  }
});
