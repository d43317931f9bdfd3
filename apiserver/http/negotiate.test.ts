import { expect } from 'chai';
import { ApiError } from '../../common/errors.js';
import { negotiate, type OutputFormat } from './negotiate.js';

const pb = 'application/vnd.kubernetes.protobuf';
const cases: { name: string; accept: string | undefined; want: OutputFormat | 406 }[] = [
  { name: 'no Accept', accept: undefined, want: 'json' },
  { name: 'JSON', accept: 'application/json', want: 'json' },
  { name: 'kubectl get (Table first)', accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json', want: 'table' },
  { name: 'YAML', accept: 'application/yaml', want: 'yaml' },
  { name: 'typed clients: protobuf, then JSON', accept: `${pb},application/json`, want: 'json' },
  { name: 'protobuf Table, then JSON Table', accept: `${pb};as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io`, want: 'table' },
  { name: 'anything', accept: '*/*', want: 'json' },
  { name: 'protobuf only', accept: pb, want: 406 },
  { name: 'protobuf watch stream only', accept: `${pb};stream=watch`, want: 406 },
  { name: 'protobuf only, twice with parameters', accept: `${pb};as=Table;v=v1;g=meta.k8s.io, ${pb}`, want: 406 },
];

describe('negotiate', () => {
  for (const tc of cases) {
    it(tc.name, () => {
      if (tc.want === 406) {
        let err: unknown;
        try {
          negotiate(tc.accept, null);
        } catch (e) {
          err = e;
        }
        expect(err).to.be.instanceOf(ApiError);
        expect((err as ApiError).code).to.equal(406);
        expect((err as ApiError).reason).to.equal('NotAcceptable');
        expect((err as ApiError).message).to.equal('only the following media types are accepted: application/json, application/yaml');
      } else {
        expect(negotiate(tc.accept, null).format).to.equal(tc.want);
      }
    });
  }
});
