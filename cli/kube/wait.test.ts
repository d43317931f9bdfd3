import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { UsageError } from './errors.js';
import { met, parseFor } from './wait.js';

describe('wait --for', () => {
  const parses: { arg: string; want: ReturnType<typeof parseFor> }[] = [
    { arg: 'delete', want: { kind: 'delete' } },
    { arg: 'condition=Ready', want: { kind: 'condition', type: 'Ready', status: 'true' } },
    { arg: 'condition=Ready=False', want: { kind: 'condition', type: 'Ready', status: 'False' } },
    { arg: 'jsonpath={.status.phase}=Running', want: { kind: 'jsonpath', path: '.status.phase', value: 'Running' } },
    { arg: 'jsonpath={.status.loadBalancer.ingress}', want: { kind: 'jsonpath', path: '.status.loadBalancer.ingress' } },
    { arg: 'jsonpath=.spec.replicas=3', want: { kind: 'jsonpath', path: '.spec.replicas', value: '3' } },
  ];
  for (const tc of parses) it(`parses ${tc.arg}`, () => expect(parseFor(tc.arg)).to.deep.equal(tc.want));
  for (const bad of [undefined, 'ready', 'condition=', 'jsonpath=']) it(`refuses ${bad}`, () => expect(() => parseFor(bad)).to.throw(UsageError));

  const obj = (generation: number, status: object): KubeObject => ({ metadata: { name: 'x', generation }, status }) as KubeObject;
  const cases: { name: string; for: string; o: KubeObject | undefined; want: boolean }[] = [
    { name: 'a true condition, any case', for: 'condition=available', o: obj(1, { observedGeneration: 1, conditions: [{ type: 'Available', status: 'True' }] }), want: true },
    { name: 'a condition of an older generation does not count', for: 'condition=Available', o: obj(2, { observedGeneration: 1, conditions: [{ type: 'Available', status: 'True' }] }), want: false },
    { name: "the condition's own observedGeneration wins", for: 'condition=Available', o: obj(2, { observedGeneration: 1, conditions: [{ type: 'Available', status: 'True', observedGeneration: 2 }] }), want: true },
    { name: 'a false condition when waiting for false', for: 'condition=Ready=false', o: obj(1, { conditions: [{ type: 'Ready', status: 'False' }] }), want: true },
    { name: 'a missing condition', for: 'condition=Ready', o: obj(1, {}), want: false },
    { name: 'a jsonpath value', for: 'jsonpath={.status.phase}=Running', o: obj(1, { phase: 'Running' }), want: true },
    { name: 'a jsonpath number compared as text', for: 'jsonpath={.status.readyReplicas}=2', o: obj(1, { readyReplicas: 2 }), want: true },
    { name: 'a jsonpath that exists', for: 'jsonpath={.status.phase}', o: obj(1, { phase: 'Pending' }), want: true },
    { name: 'a jsonpath that does not exist', for: 'jsonpath={.status.phase}', o: obj(1, {}), want: false },
    { name: 'deleted', for: 'delete', o: undefined, want: true },
    { name: 'not deleted', for: 'delete', o: obj(1, {}), want: false },
  ];
  for (const tc of cases) it(tc.name, () => expect(met(parseFor(tc.for), tc.o)).to.equal(tc.want));
});
