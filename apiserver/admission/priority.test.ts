import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { ForbiddenError } from '../../common/errors.js';
import { admitPriorityClass, type PriorityClassLookup } from './priority.js';

const pc = (name: string, globalDefault?: boolean): KubeObject => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value: 10, ...(globalDefault === undefined ? {} : { globalDefault }) });

const lookup = (classes: KubeObject[]): PriorityClassLookup => ({
  get: (name) => classes.find((c) => c.metadata.name === name),
  list: () => classes,
});

describe('admitPriorityClass', () => {
  const cases: { name: string; existing: KubeObject[]; created: KubeObject; refusedBecauseOf?: string }[] = [
    { name: 'a non-default class beside a default one', existing: [pc('d', true)], created: pc('x') },
    { name: 'the first default class', existing: [pc('a', false), pc('b')], created: pc('x', true) },
    { name: 'a second default class', existing: [pc('a'), pc('d', true)], created: pc('x', true), refusedBecauseOf: 'd' },
    { name: 'the default class itself again (same name)', existing: [pc('x', true)], created: pc('x', true) },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const run = (): void => admitPriorityClass(tc.created, lookup(tc.existing));
      if (!tc.refusedBecauseOf) return expect(run).not.to.throw();
      expect(run).to.throw(ForbiddenError, `priorityclasses.scheduling.k8s.io "x" is forbidden: PriorityClass ${tc.refusedBecauseOf} is already marked as default. Only one default can exist`);
    });
  }
});
