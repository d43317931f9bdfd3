import { expect } from 'chai';
import { InvalidError, NotServedError, type ApiError } from './errors.js';

describe('error messages as Kubernetes words them', () => {
  const causes = [{ reason: 'FieldValueInvalid', message: 'Invalid value: "X": bad', field: 'metadata.name' }];
  const two = [...causes, { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' }];
  const cases: { name: string; error: ApiError; code: number; message: string; details: object }[] = [
    {
      name: 'Invalid in the core group names the bare kind',
      error: new InvalidError('ConfigMap', 'X', causes),
      code: 422,
      message: 'ConfigMap "X" is invalid: metadata.name: Invalid value: "X": bad',
      details: { name: 'X', kind: 'ConfigMap', causes },
    },
    {
      name: 'Invalid in a named group names the group-qualified kind',
      error: new InvalidError('Deployment', 'X', causes, 'apps'),
      code: 422,
      message: 'Deployment.apps "X" is invalid: metadata.name: Invalid value: "X": bad',
      details: { name: 'X', kind: 'Deployment', group: 'apps', causes },
    },
    {
      name: 'several causes are listed in brackets',
      error: new InvalidError('PriorityClass', 'p', two, 'scheduling.k8s.io'),
      code: 422,
      message: 'PriorityClass.scheduling.k8s.io "p" is invalid: [metadata.name: Invalid value: "X": bad, spec.selector: Required value]',
      details: { name: 'p', kind: 'PriorityClass', group: 'scheduling.k8s.io', causes: two },
    },
    {
      name: 'a cause without a field is its message alone',
      error: new InvalidError('ConfigMap', 'big', [{ reason: 'FieldValueTooLong', message: 'Too long: may not be more than 1048576 bytes' }]),
      code: 422,
      message: 'ConfigMap "big" is invalid: Too long: may not be more than 1048576 bytes',
      details: { name: 'big', kind: 'ConfigMap', causes: [{ reason: 'FieldValueTooLong', message: 'Too long: may not be more than 1048576 bytes' }] },
    },
    { name: 'an unserved resource is the generic 404, naming nothing', error: new NotServedError(), code: 404, message: 'the server could not find the requested resource', details: {} },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(tc.error.code).to.equal(tc.code);
      expect(tc.error.message).to.equal(tc.message);
      expect(tc.error.details).to.deep.equal(tc.details);
    });
  }
});
