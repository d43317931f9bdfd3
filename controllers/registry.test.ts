import { expect } from 'chai';
import { ConfigError } from '../common/config.js';
import type { ControllerFactory } from './context.js';
import { controllerRegistry, enabledControllers } from './registry.js';

const factory: ControllerFactory = () => {
  throw new Error('not built in this test');
};
const registry = { replicaset: factory, deployment: factory, namespace: factory };

describe('controller registry', () => {
  it('lists the ReplicaSet controller', () => expect(Object.keys(controllerRegistry)).to.include('replicaset'));

  const cases: { name: string; spec: string[]; want?: string[]; error?: RegExp }[] = [
    { name: '* enables all, in registry order', spec: ['*'], want: ['replicaset', 'deployment', 'namespace'] },
    { name: 'names enable only those', spec: ['namespace', 'replicaset'], want: ['replicaset', 'namespace'] },
    { name: '-name leaves one out', spec: ['*', '-deployment'], want: ['replicaset', 'namespace'] },
    { name: 'an exclusion wins over a name', spec: ['deployment', '-deployment'], want: [] },
    { name: 'an unknown name fails', spec: ['*', 'replicasets'], error: /unknown controller "replicasets" in controllers \(known: replicaset, deployment, namespace\)/ },
    { name: 'an unknown exclusion fails too', spec: ['*', '-gc'], error: /unknown controller "gc"/ },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      if (tc.error) expect(() => enabledControllers(tc.spec, registry)).to.throw(ConfigError, tc.error);
      else expect(enabledControllers(tc.spec, registry)).to.deep.equal(tc.want);
    });
  }
});
