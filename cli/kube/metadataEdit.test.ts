import { expect } from 'chai';
import { UsageError } from './errors.js';
import { parseChanges } from './metadataEdit.js';
import { splitChanges } from './targets.js';
import { exitCodeOf } from './exec.js';

describe('label and annotate changes', () => {
  it('splits resources from changes at the end', () => {
    const isChange = (a: string): boolean => a.includes('=') || (a.endsWith('-') && !a.includes('/'));
    expect(splitChanges(['pods', 'a', 'b', 'x=1', 'y-'], isChange)).to.deep.equal({ resources: ['pods', 'a', 'b'], changes: ['x=1', 'y-'] });
    expect(splitChanges(['deploy/web-', 'x=1'], isChange)).to.deep.equal({ resources: ['deploy/web-'], changes: ['x=1'] });
  });
  it('reads sets and removals', () => {
    expect(parseChanges('labels', ['app=web', 'example.com/tier=', 'old-'])).to.deep.equal({ set: { app: 'web', 'example.com/tier': '' }, remove: ['old'] });
    expect(parseChanges('annotations', ['note=any text: even this'])).to.deep.equal({ set: { note: 'any text: even this' }, remove: [] });
  });
  for (const bad of [['bad key=1'], ['a=b c'], ['-=x'], ['a=1', 'a=2'], ['a=1', 'a-'], ['x'.repeat(64) + '=1']]) {
    it(`refuses ${JSON.stringify(bad)}`, () => expect(() => parseChanges('labels', bad)).to.throw(UsageError));
  }
});

describe('exec exit codes from the final Status', () => {
  const cases: { st: object; want: number | undefined }[] = [
    { st: { status: 'Success' }, want: 0 },
    { st: { status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } }, want: 3 },
    { st: { status: 'Failure', reason: 'NonZeroExitCode' }, want: 1 },
    { st: { status: 'Failure', reason: 'InternalError', message: 'no such container' }, want: undefined },
  ];
  for (const tc of cases) it(JSON.stringify(tc.st), () => expect(exitCodeOf(tc.st)).to.equal(tc.want));
});
