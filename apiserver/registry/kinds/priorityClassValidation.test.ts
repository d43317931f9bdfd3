import { expect } from 'chai';
import type { KubeObject } from '../../../common/api/meta.js';
import { priorityClassStrategy } from './core.js';
import { validatePriorityClass, validatePriorityClassUpdate } from './priorityClassValidation.js';

/** A PriorityClass as a client sends it, defaulted the way the API server defaults it. */
function priorityClass(name: string, fields: Record<string, unknown>): KubeObject {
  const obj: KubeObject = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, ...fields };
  priorityClassStrategy.defaults!(obj);
  return obj;
}

describe('validatePriorityClass', () => {
  const reserved = "Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: ";
  const cases: { name: string; obj: KubeObject; causes: string[]; message?: string }[] = [
    { name: 'a user class', obj: priorityClass('batch', { value: 1000 }), causes: [] },
    { name: 'the highest user value', obj: priorityClass('top', { value: 1_000_000_000 }), causes: [] },
    { name: 'a negative value', obj: priorityClass('low', { value: -10 }), causes: [] },
    { name: 'a user value above one billion', obj: priorityClass('huge', { value: 2_000_000_000 }), causes: ['FieldValueForbidden value'], message: 'Forbidden: maximum allowed value of a user defined priority is 1000000000' },
    { name: 'an unknown system- class', obj: priorityClass('system-mine', { value: 10 }), causes: ['FieldValueForbidden metadata.name'], message: `${reserved}system-mine is not a known system priority class` },
    { name: 'system-cluster-critical with its own value', obj: priorityClass('system-cluster-critical', { value: 2_000_000_000 }), causes: [] },
    { name: 'system-node-critical with another value', obj: priorityClass('system-node-critical', { value: 5 }), causes: ['FieldValueForbidden metadata.name'], message: `${reserved}value of system-node-critical PriorityClass must be 2000001000` },
    { name: 'a system class as global default', obj: priorityClass('system-cluster-critical', { value: 2_000_000_000, globalDefault: true }), causes: ['FieldValueForbidden metadata.name'] },
    { name: 'preemption policy Never', obj: priorityClass('batch', { value: 1, preemptionPolicy: 'Never' }), causes: [] },
    {
      name: 'an unknown preemption policy',
      obj: priorityClass('batch', { value: 1, preemptionPolicy: 'Sometimes' }),
      causes: ['FieldValueNotSupported preemptionPolicy'],
      message: 'Unsupported value: "Sometimes": supported values: "Never", "PreemptLowerPriority"',
    },
    { name: 'an empty preemption policy', obj: priorityClass('batch', { value: 1, preemptionPolicy: '' }), causes: ['FieldValueRequired preemptionPolicy'] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const causes = validatePriorityClass(tc.obj);
      expect(causes.map((c) => `${c.reason} ${c.field}`)).to.deep.equal(tc.causes);
      if (tc.message) expect(causes[0]?.message).to.equal(tc.message);
    });
  }

  it('defaults the preemption policy', () => {
    expect(priorityClass('batch', { value: 1 }).preemptionPolicy).to.equal('PreemptLowerPriority');
  });
});

describe('validatePriorityClassUpdate', () => {
  const old = priorityClass('batch', { value: 1000 });
  const cases: { name: string; obj: KubeObject; causes: string[] }[] = [
    { name: 'description and globalDefault may change', obj: priorityClass('batch', { value: 1000, description: 'x', globalDefault: true }), causes: [] },
    { name: 'the value may not', obj: priorityClass('batch', { value: 2000 }), causes: ['FieldValueForbidden value'] },
    { name: 'the preemption policy may not', obj: priorityClass('batch', { value: 1000, preemptionPolicy: 'Never' }), causes: ['FieldValueInvalid preemptionPolicy'] },
  ];
  for (const tc of cases) it(tc.name, () => expect(validatePriorityClassUpdate(tc.obj, old).map((c) => `${c.reason} ${c.field}`)).to.deep.equal(tc.causes));
});
