import { expect } from 'chai';
import type { ManagedFieldsEntry } from '../../common/api/meta.js';
import { checkManagedFields, explicitManagedFields, sortManagedFields } from './managedFields.js';

const entry = (over: Partial<ManagedFieldsEntry> & Record<string, unknown>): ManagedFieldsEntry => ({
  manager: 'm',
  operation: 'Update',
  apiVersion: 'v1',
  time: '2026-01-01T00:00:00Z',
  fieldsType: 'FieldsV1',
  fieldsV1: { 'f:data': { 'f:x': {} } },
  ...over,
});

describe('client-supplied managedFields', () => {
  const cases: { name: string; entries: ManagedFieldsEntry[]; fields: string[] }[] = [
    { name: 'accepts what kubectl migration sends', entries: [entry({ operation: 'Apply', manager: 'kubectl' }), entry({ manager: 'kubectl-last-applied', operation: 'Apply', fieldsV1: { 'f:metadata': { 'f:annotations': { 'f:a': {} } } } })], fields: [] },
    { name: 'accepts list items, set members and the item marker', entries: [entry({ fieldsV1: { 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {} } }, 'f:finalizers': { 'v:"a/b"': {} } } } })], fields: [] },
    { name: 'ignores entries that own nothing (the [{}] reset)', entries: [{} as ManagedFieldsEntry, entry({ operation: 'Bogus' as 'Apply', fieldsV1: {} })], fields: [] },
    { name: 'refuses an unknown operation', entries: [entry({ operation: 'Replace' as 'Apply' })], fields: ['metadata.managedFields[0].operation'] },
    { name: 'refuses a missing operation', entries: [entry({ operation: undefined })], fields: ['metadata.managedFields[0].operation'] },
    { name: 'refuses another fieldsType', entries: [entry({ fieldsType: 'FieldsV2' as 'FieldsV1' })], fields: ['metadata.managedFields[0].fieldsType'] },
    { name: 'refuses a manager over 128 bytes', entries: [entry({ manager: 'x'.repeat(129) })], fields: ['metadata.managedFields[0].manager'] },
    { name: 'refuses a manager with control characters', entries: [entry({ manager: 'a\nb' })], fields: ['metadata.managedFields[0].manager'] },
    { name: 'refuses path elements of no known kind', entries: [entry({ fieldsV1: { 'x:spec': {} } })], fields: ['metadata.managedFields[0].fieldsV1'] },
    { name: 'refuses a key that is not JSON', entries: [entry({ fieldsV1: { 'f:spec': { 'k:{name': {} } } })], fields: ['metadata.managedFields[0].fieldsV1'] },
    { name: 'refuses leaves that are not objects', entries: [entry({ fieldsV1: { 'f:spec': true } as unknown as Record<string, unknown> })], fields: ['metadata.managedFields[0].fieldsV1'] },
    { name: 'refuses the same manager and operation twice', entries: [entry({}), entry({})], fields: ['metadata.managedFields[1]'] },
    { name: 'refuses an entry that is not an object', entries: ['x' as unknown as ManagedFieldsEntry], fields: ['metadata.managedFields[0]'] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(checkManagedFields(tc.entries).map((c) => c.field)).to.deep.equal(tc.fields);
    });
  }

  it('bounds the depth of a field set', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) deep = { 'f:a': deep };
    expect(checkManagedFields([entry({ fieldsV1: deep })]).map((c) => c.field)).to.deep.equal(['metadata.managedFields[0].fieldsV1']);
  });

  const explicitCases: { name: string; given: ManagedFieldsEntry[] | undefined; subresource?: string; explicit: boolean }[] = [
    { name: 'absent keeps the stored ones', given: undefined, explicit: false },
    { name: 'an empty list keeps the stored ones', given: [], explicit: false },
    { name: 'entries replace them', given: [entry({})], explicit: true },
    { name: 'a subresource write never sets them', given: [entry({})], subresource: 'status', explicit: false },
  ];
  for (const tc of explicitCases) {
    it(tc.name, () => {
      expect(explicitManagedFields(tc.given, tc.subresource) !== undefined).to.equal(tc.explicit);
    });
  }

  it('orders entries as Kubernetes does: Apply first, then by time, manager', () => {
    const sorted = sortManagedFields([
      entry({ manager: 'b', time: '2026-01-01T00:00:05Z' }),
      entry({ manager: 'z', operation: 'Apply', time: '2026-01-01T00:00:09Z' }),
      entry({ manager: 'a', time: '2026-01-01T00:00:05Z' }),
      entry({ manager: 'c', time: '2026-01-01T00:00:01Z' }),
    ]);
    expect(sorted.map((e) => e.manager)).to.deep.equal(['z', 'c', 'a', 'b']);
  });
});
