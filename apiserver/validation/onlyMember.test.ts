import { expect } from 'chai';
import { definitions } from '../../common/schemas/index.js';
import { createValidator } from './index.js';

// A status write validates status alone (`only: 'status'`): it must report exactly what a
// whole-object validation reports for status, never skip a changed status field, and pass
// the rest of the object through untouched, whatever the rest holds.

const POD = 'io.k8s.api.core.v1.Pod';
const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';

type Obj = Record<string, unknown>;

function pod(status?: unknown): Obj {
  const p: Obj = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: { containers: [{ name: 'web', image: 'registry.local/web:1' }] },
  };
  if (status !== undefined) p.status = status;
  return p;
}

const statuses: { name: string; status: unknown; def?: string; invalid?: boolean }[] = [
  { name: 'a valid status', status: { phase: 'Running', podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] } },
  { name: 'no status at all', status: undefined },
  { name: 'a status of null (unset)', status: null },
  { name: 'a wrong type at the top of status', status: 'Running', invalid: true },
  { name: 'wrong types inside status', status: { phase: 5, podIP: true, conditions: [{ type: 'Ready', status: 1 }] }, invalid: true },
  { name: 'a bad date-time in a condition', status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: 'yesterday' }] }, invalid: true },
  { name: 'nulls inside status are dropped', status: { phase: 'Running', podIP: null, conditions: [{ type: 'Ready', status: 'True', reason: null }] } },
  { name: 'unknown fields inside status', status: { phase: 'Running', bogus: 1, conditions: [{ type: 'Ready', status: 'True', extra: 'x' }] } },
  { name: 'missing required fields in status (lenient, as Kubernetes)', status: { containerStatuses: [{ name: 'web' }] } },
  { name: 'a deployment status with a wrong type', status: { replicas: 'three', conditions: [{ type: 'Available' }] }, invalid: true, def: DEPLOYMENT },
];

describe('validation of one member (status writes)', () => {
  const v = createValidator(definitions);
  for (const tc of statuses) {
    for (const strictFields of [false, true]) {
      it(`${tc.name}${strictFields ? ' (Strict)' : ''}`, () => {
        const obj = pod(tc.status);
        if (tc.def === DEPLOYMENT) Object.assign(obj, { apiVersion: 'apps/v1', kind: 'Deployment', spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'i' }] } } } });
        const def = tc.def ?? POD;
        const before = structuredClone(obj);
        const whole = v.validate(def, obj, { strictFields });
        const part = v.validate(def, obj, { strictFields, only: 'status' });
        if (tc.invalid) expect(whole.causes, 'the case is invalid').to.not.deep.equal([]);
        expect(part.causes).to.deep.equal(whole.causes);
        expect(part.unknownFields).to.deep.equal(whole.unknownFields);
        expect(part.pruned).to.deep.equal(whole.pruned);
        expect(JSON.stringify(part.pruned), 'members keep their order').to.equal(JSON.stringify(whole.pruned));
        if (whole.pruned === obj) expect(part.pruned, 'nothing to prune: the same object').to.equal(obj);
        expect(obj, 'the input is never changed').to.deep.equal(before);
      });
    }
  }

  it('passes the other members through as they are (they were checked when stored)', () => {
    const obj = pod({ phase: 'Running' });
    (obj.spec as Obj).containers = 'not a list';
    const part = v.validate(POD, obj, { strictFields: true, only: 'status' });
    expect(part.causes).to.deep.equal([]);
    expect(part.pruned).to.equal(obj);
    expect(v.validate(POD, obj, { strictFields: true }).causes).to.not.deep.equal([]);
  });
});
