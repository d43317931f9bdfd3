import { expect } from 'chai';
import { nameProblems, type NameRule } from './names.js';

describe('nameProblems', () => {
  const dns1035 = /^a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character/;
  const label = /^a lowercase RFC 1123 label must consist of/;
  const subdomain = /^a lowercase RFC 1123 subdomain must consist of/;
  const tooLong = (n: number): RegExp => new RegExp(`^must be no more than ${n} characters$`);
  const cases: { rule: NameRule; name: string; want: RegExp[] }[] = [
    { rule: 'dns1035Label', name: 'front', want: [] },
    { rule: 'dns1035Label', name: 'a-1', want: [] },
    { rule: 'dns1035Label', name: 'a', want: [] },
    { rule: 'dns1035Label', name: '1st', want: [dns1035] },
    { rule: 'dns1035Label', name: 'web.front', want: [dns1035] },
    { rule: 'dns1035Label', name: 'Front', want: [dns1035] },
    { rule: 'dns1035Label', name: 'front-', want: [dns1035] },
    { rule: 'dns1035Label', name: '', want: [dns1035] },
    { rule: 'dns1035Label', name: 'a'.repeat(63), want: [] },
    { rule: 'dns1035Label', name: 'a'.repeat(64), want: [tooLong(63)] },
    { rule: 'dns1035Label', name: `1${'a'.repeat(63)}`, want: [tooLong(63), dns1035] },
    { rule: 'label', name: '1st', want: [] },
    { rule: 'label', name: 'web.front', want: [label] },
    { rule: 'subdomain', name: 'web.front', want: [] },
    { rule: 'subdomain', name: 'Invalid_Name', want: [subdomain] },
    { rule: 'subdomain', name: 'a'.repeat(254), want: [tooLong(253)] },
  ];
  for (const tc of cases) {
    it(`${tc.rule} ${JSON.stringify(tc.name.length > 20 ? `${tc.name.slice(0, 8)}...(${tc.name.length})` : tc.name)} -> ${tc.want.length} problem(s)`, () => {
      const got = nameProblems(tc.rule, tc.name);
      expect(got, got.join('\n')).to.have.length(tc.want.length);
      tc.want.forEach((re, i) => expect(got[i]).to.match(re));
    });
  }

  it('quotes the full DNS-1035 rule as Kubernetes does', () => {
    expect(nameProblems('dns1035Label', '1st')).to.deep.equal([
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ]);
  });
});
