import { expect } from 'chai';
import { UsageError } from './errors.js';
import { parseOutput, type OutputFormat } from './outputFormat.js';

describe('get -o formats', () => {
  const cases: { o: string | undefined; want?: OutputFormat; error?: RegExp }[] = [
    { o: undefined, want: { kind: 'table', wide: false } },
    { o: 'wide', want: { kind: 'table', wide: true } },
    { o: 'yaml', want: { kind: 'yaml' } },
    { o: 'name', want: { kind: 'name' } },
    { o: 'jsonpath={.items[*].metadata.name}', want: { kind: 'jsonpath', template: '{.items[*].metadata.name}' } },
    { o: 'jsonpath={.a=b}', want: { kind: 'jsonpath', template: '{.a=b}' } },
    { o: 'custom-columns=NAME:.metadata.name,IMAGES:.spec.containers[*].image', want: { kind: 'custom-columns', columns: [{ header: 'NAME', path: '.metadata.name' }, { header: 'IMAGES', path: '.spec.containers[*].image' }] } },
    { o: 'jsonpath', error: /needs a template/ },
    { o: 'custom-columns=NAME', error: /expected HEADER:PATH, got "NAME"/ },
    { o: 'table', error: /unknown output format "table"/ },
  ];
  for (const tc of cases) {
    it(String(tc.o), () => {
      if (tc.error) expect(() => parseOutput(tc.o)).to.throw(UsageError, tc.error);
      else expect(parseOutput(tc.o)).to.deep.equal(tc.want);
    });
  }
});
