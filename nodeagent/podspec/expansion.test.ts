import { expect } from 'chai';
import { expandCommand, expandReferences } from './expansion.js';

describe('podspec/expansion', () => {
  const vars: Record<string, string> = { VAR_A: 'A', VAR_B: 'B', EMPTY: '', NESTED: '$(VAR_A)' };
  const lookup = (n: string): string | undefined => vars[n];
  const cases: { input: string; want: string }[] = [
    { input: '', want: '' },
    { input: 'plain', want: 'plain' },
    { input: '$(VAR_A)', want: 'A' },
    { input: '___$(VAR_A)___', want: '___A___' },
    { input: '$(VAR_A)-$(VAR_B)', want: 'A-B' },
    { input: '$(VAR_A)$(VAR_B)', want: 'AB' },
    { input: '$(EMPTY)x', want: 'x' },
    { input: '$(UNKNOWN)', want: '$(UNKNOWN)' },
    { input: '$$(VAR_A)', want: '$(VAR_A)' },
    { input: '$$$(VAR_A)', want: '$A' },
    { input: '$$$$(VAR_A)', want: '$$(VAR_A)' },
    { input: '$$', want: '$' },
    { input: '$', want: '$' },
    { input: 'x$', want: 'x$' },
    { input: '$VAR_A', want: '$VAR_A' },
    { input: '$(VAR_A', want: '$(VAR_A' },
    { input: '$(', want: '$(' },
    { input: '$()', want: '$()' },
    { input: '$(NESTED)', want: '$(VAR_A)' },
    { input: '${VAR_A}', want: '${VAR_A}' },
    { input: '$(VAR_A)$', want: 'A$' },
    { input: '$(VAR_A) $(VAR_A', want: 'A $(VAR_A' },
  ];
  for (const tc of cases) it(JSON.stringify(tc.input), () => expect(expandReferences(tc.input, lookup)).to.equal(tc.want));

  it('expands command and args from the resolved env', () => {
    const envs = [{ key: 'GREETING', value: 'hi' }, { key: 'GREETING', value: 'hello' }];
    expect(expandCommand(['echo', '$(GREETING)', '$$(GREETING)', '$(OTHER)'], envs)).to.deep.equal(['echo', 'hello', '$(GREETING)', '$(OTHER)']);
    expect(expandCommand(undefined, envs)).to.deep.equal([]);
  });
});
