import { expect } from 'chai';
import type { KubeObject, ManagedFieldsEntry } from '../../common/api/meta.js';
import { definitions } from '../../common/schemas/index.js';
import { openApiPatchMeta } from '../patch/patchMeta.js';
import { mergeApplied } from './applyMerge.js';
import { findConflicts } from './conflicts.js';
import { describePath } from './fieldSet.js';
import { rekeyEntries } from './legacyKeys.js';

const podMeta = openApiPatchMeta(definitions, 'io.k8s.api.core.v1.Pod');
const serviceMeta = openApiPatchMeta(definitions, 'io.k8s.api.core.v1.Service');

const entry = (fieldsV1: Record<string, unknown>): ManagedFieldsEntry => ({ manager: 'old', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1 });

const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 53, protocol: 'UDP', targetPort: 53 }, { port: 80, protocol: 'TCP', targetPort: 8080 }] } };
const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 8080, protocol: 'TCP' }] }] } };

describe('managedFields with older item keys', () => {
  const cases: { name: string; meta: typeof podMeta; obj: unknown; fields: Record<string, unknown>; want: Record<string, unknown> | 'same' }[] = [
    {
      name: 'a port keyed by port alone gets its protocol from the live item',
      meta: serviceMeta,
      obj: service,
      fields: { 'f:spec': { 'f:ports': { 'k:{"port":80}': { '.': {}, 'f:targetPort': {} } } } },
      want: { 'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:targetPort': {} } } } },
    },
    {
      name: 'keys inside complete keys are completed too (container ports)',
      meta: podMeta,
      obj: pod,
      fields: { 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:ports': { 'k:{"containerPort":8080}': { '.': {}, 'f:containerPort': {} } } } } } },
      want: { 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:ports': { 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } } } } },
    },
    { name: 'complete keys are left alone', meta: serviceMeta, obj: service, fields: { 'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { 'f:targetPort': {} } } } }, want: 'same' },
    { name: 'a key naming no live item is left alone', meta: serviceMeta, obj: service, fields: { 'f:spec': { 'f:ports': { 'k:{"port":443}': { 'f:targetPort': {} } } } }, want: 'same' },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const entries = [entry(tc.fields)];
      const got = rekeyEntries(entries, tc.obj, tc.meta);
      if (tc.want === 'same') expect(got).to.equal(entries);
      else expect(got).to.deep.equal([entry(tc.want)]);
    });
  }

  it('a field owned under an older key still conflicts', () => {
    const live = structuredClone(service) as KubeObject;
    const entries = rekeyEntries([entry({ 'f:spec': { 'f:ports': { 'k:{"port":80}': { '.': {}, 'f:targetPort': {} } } } })], live, serviceMeta);
    const applied = { ...structuredClone(service), spec: { ports: [{ port: 80, targetPort: 9090 }] } } as KubeObject;
    const got = findConflicts(entries, live, mergeApplied(live, applied, serviceMeta), serviceMeta, { manager: 'new', apiVersion: 'v1' });
    expect(got.map((c) => `${c.manager} ${describePath(c.path)}`)).to.deep.equal(['old .spec.ports[port=80,protocol="TCP"].targetPort']);
  });
});
