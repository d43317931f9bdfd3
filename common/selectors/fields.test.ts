import { expect } from 'chai';
import type { KubeObject } from '../api/meta.js';
import { BadRequestError } from '../errors.js';
import { escapeFieldValue, fieldSelectorFromSet, fieldsOf, parseFieldSelector, supportedFields, validateFieldSelector } from './fields.js';

describe('parseFieldSelector', () => {
  const cases: { name: string; sel: string; str: string; yes: Record<string, string>[]; no: Record<string, string>[] }[] = [
    { name: 'empty selects everything', sel: '', str: '', yes: [{}], no: [] },
    { name: 'equality', sel: 'metadata.name=a', str: 'metadata.name=a', yes: [{ 'metadata.name': 'a' }], no: [{ 'metadata.name': 'b' }, {}] },
    { name: 'double equals normalizes', sel: 'metadata.name==a', str: 'metadata.name=a', yes: [{ 'metadata.name': 'a' }], no: [] },
    { name: 'not equals', sel: 'status.phase!=Running', str: 'status.phase!=Running', yes: [{ 'status.phase': 'Pending' }, {}], no: [{ 'status.phase': 'Running' }] },
    { name: 'empty value selects missing', sel: 'spec.nodeName=', str: 'spec.nodeName=', yes: [{}, { 'spec.nodeName': '' }], no: [{ 'spec.nodeName': 'n1' }] },
    { name: 'and, sorted', sel: 'spec.nodeName=n1,metadata.namespace=default', str: 'metadata.namespace=default,spec.nodeName=n1', yes: [{ 'spec.nodeName': 'n1', 'metadata.namespace': 'default' }], no: [{ 'spec.nodeName': 'n1' }] },
    { name: 'empty terms ignored', sel: 'a=b,,', str: 'a=b', yes: [{ a: 'b' }], no: [] },
    { name: 'escaped comma and equals', sel: 'a=x\\,y\\=z', str: 'a=x\\,y\\=z', yes: [{ a: 'x,y=z' }], no: [{ a: 'x' }] },
    { name: 'escaped backslash', sel: 'a=x\\\\', str: 'a=x\\\\', yes: [{ a: 'x\\' }], no: [] },
    { name: 'first operator splits', sel: 'a!=b!c', str: 'a!=b!c', yes: [{ a: 'b' }], no: [{ a: 'b!c' }] },
    { name: 'field whitespace trimmed', sel: ' spec.nodeName =n1', str: 'spec.nodeName=n1', yes: [{ 'spec.nodeName': 'n1' }], no: [] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const s = parseFieldSelector(tc.sel);
      expect(s.toString()).to.equal(tc.str);
      for (const f of tc.yes) expect(s.matches(f), JSON.stringify(f)).to.equal(true);
      for (const f of tc.no) expect(s.matches(f), JSON.stringify(f)).to.equal(false);
      expect(parseFieldSelector(s.toString()).toString()).to.equal(tc.str);
    });
  }

  const rejects: { sel: string; mentions: string }[] = [
    { sel: 'metadata.name', mentions: "can't understand" },
    { sel: 'a=b,c', mentions: "can't understand" },
    { sel: 'a=x\\y', mentions: 'invalid escape sequence' },
    { sel: 'a=x\\', mentions: 'invalid escape sequence' },
    { sel: 'a==b=c', mentions: 'unescaped' },
  ];
  for (const tc of rejects) {
    it(`rejects ${JSON.stringify(tc.sel)}`, () => expect(() => parseFieldSelector(tc.sel)).to.throw(BadRequestError, tc.mentions));
  }

  it('reports requirements and required values', () => {
    const s = parseFieldSelector('spec.nodeName=n1,status.phase!=Failed');
    expect(s.requirements()).to.deep.equal([
      { field: 'spec.nodeName', operator: '=', value: 'n1' },
      { field: 'status.phase', operator: '!=', value: 'Failed' },
    ]);
    expect(s.requiredValue('spec.nodeName')).to.equal('n1');
    expect(s.requiredValue('status.phase')).to.equal(undefined);
    expect(s.isEmpty()).to.equal(false);
    expect(parseFieldSelector('').isEmpty()).to.equal(true);
  });

  it('escapes and builds from a set', () => {
    expect(escapeFieldValue('a,b=c\\')).to.equal('a\\,b\\=c\\\\');
    const s = fieldSelectorFromSet({ 'metadata.name': 'x,y' });
    expect(s.matches({ 'metadata.name': 'x,y' })).to.equal(true);
  });
});

describe('fieldsOf', () => {
  const pod = (spec: Record<string, unknown>, status: Record<string, unknown>): KubeObject => ({ kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec, status });
  const cases: { name: string; kind: string; obj: KubeObject; want: Record<string, string> }[] = [
    {
      name: 'scheduled pod',
      kind: 'Pod',
      obj: pod(
        { nodeName: 'n1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default', hostNetwork: true },
        { phase: 'Running', podIP: '10.0.0.9', podIPs: [{ ip: '10.0.0.5' }], nominatedNodeName: 'n2' },
      ),
      want: {
        'metadata.name': 'p',
        'metadata.namespace': 'ns',
        'spec.nodeName': 'n1',
        'spec.restartPolicy': 'Always',
        'spec.schedulerName': 'default-scheduler',
        'spec.serviceAccountName': 'default',
        'spec.hostNetwork': 'true',
        'status.phase': 'Running',
        'status.podIP': '10.0.0.5',
        'status.nominatedNodeName': 'n2',
      },
    },
    {
      name: 'unscheduled pod has empty values',
      kind: 'Pod',
      obj: { metadata: { name: 'p' } },
      want: {
        'metadata.name': 'p',
        'metadata.namespace': '',
        'spec.nodeName': '',
        'spec.restartPolicy': '',
        'spec.schedulerName': '',
        'spec.serviceAccountName': '',
        'spec.hostNetwork': 'false',
        'status.phase': '',
        'status.podIP': '',
        'status.nominatedNodeName': '',
      },
    },
    {
      name: 'event with legacy source',
      kind: 'Event',
      obj: {
        metadata: { name: 'e', namespace: 'ns' },
        involvedObject: { kind: 'Pod', namespace: 'ns', name: 'p', uid: 'u1', apiVersion: 'v1', resourceVersion: '7', fieldPath: 'spec.containers{c}' },
        reason: 'Pulled',
        type: 'Normal',
        source: { component: 'kubelet' },
        reportingComponent: 'gantry-agent',
      },
      want: {
        'metadata.name': 'e',
        'metadata.namespace': 'ns',
        'involvedObject.kind': 'Pod',
        'involvedObject.namespace': 'ns',
        'involvedObject.name': 'p',
        'involvedObject.uid': 'u1',
        'involvedObject.apiVersion': 'v1',
        'involvedObject.resourceVersion': '7',
        'involvedObject.fieldPath': 'spec.containers{c}',
        reason: 'Pulled',
        reportingComponent: 'gantry-agent',
        source: 'kubelet',
        type: 'Normal',
      },
    },
    { name: 'cordoned node', kind: 'Node', obj: { metadata: { name: 'n' }, spec: { unschedulable: true } }, want: { 'metadata.name': 'n', 'metadata.namespace': '', 'spec.unschedulable': 'true' } },
    { name: 'node defaults schedulable', kind: 'Node', obj: { metadata: { name: 'n' } }, want: { 'metadata.name': 'n', 'metadata.namespace': '', 'spec.unschedulable': 'false' } },
    { name: 'secret type', kind: 'Secret', obj: { metadata: { name: 's', namespace: 'ns' }, type: 'Opaque' }, want: { 'metadata.name': 's', 'metadata.namespace': 'ns', type: 'Opaque' } },
    { name: 'namespace phase', kind: 'Namespace', obj: { metadata: { name: 'ns' }, status: { phase: 'Terminating' } }, want: { 'metadata.name': 'ns', 'metadata.namespace': '', 'status.phase': 'Terminating' } },
    { name: 'replicaset replicas', kind: 'ReplicaSet', obj: { metadata: { name: 'rs', namespace: 'ns' }, status: { replicas: 3 } }, want: { 'metadata.name': 'rs', 'metadata.namespace': 'ns', 'status.replicas': '3' } },
    { name: 'replicaset without status', kind: 'ReplicaSet', obj: { metadata: { name: 'rs' } }, want: { 'metadata.name': 'rs', 'metadata.namespace': '', 'status.replicas': '0' } },
    { name: 'other kinds have metadata only', kind: 'ConfigMap', obj: { metadata: { name: 'c', namespace: 'ns' } }, want: { 'metadata.name': 'c', 'metadata.namespace': 'ns' } },
  ];
  for (const tc of cases) it(tc.name, () => expect(fieldsOf(tc.kind, tc.obj)).to.deep.equal(tc.want));

  it('event source falls back to the reporting component', () => {
    const ev: KubeObject = { metadata: { name: 'e' }, involvedObject: {}, reportingComponent: 'gantry-scheduler' };
    expect(fieldsOf('Event', ev)['source']).to.equal('gantry-scheduler');
  });

  it('selects unscheduled pods with spec.nodeName=', () => {
    const s = parseFieldSelector('spec.nodeName=');
    expect(s.matches(fieldsOf('Pod', pod({}, {})))).to.equal(true);
    expect(s.matches(fieldsOf('Pod', pod({ nodeName: 'n1' }, {})))).to.equal(false);
  });
});

describe('validateFieldSelector', () => {
  const cases: { name: string; kind: string; sel: string; ok: boolean }[] = [
    { name: 'pod node name', kind: 'Pod', sel: 'spec.nodeName=n1', ok: true },
    { name: 'metadata on any kind', kind: 'ConfigMap', sel: 'metadata.name=a,metadata.namespace=b', ok: true },
    { name: 'event involved object', kind: 'Event', sel: 'involvedObject.kind=Pod,involvedObject.uid=x', ok: true },
    { name: 'pod field on a node', kind: 'Node', sel: 'spec.nodeName=n1', ok: false },
    { name: 'unknown field', kind: 'Pod', sel: 'foo=bar', ok: false },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const run = () => validateFieldSelector(tc.kind, parseFieldSelector(tc.sel));
      if (tc.ok) expect(run).not.to.throw();
      else expect(run).to.throw(BadRequestError, 'field label not supported: ');
    });
  }

  it('names the unsupported field', () => {
    expect(() => validateFieldSelector('Pod', parseFieldSelector('foo=bar'))).to.throw('field label not supported: foo');
  });

  it('lists supported fields', () => {
    expect(supportedFields('Secret')).to.deep.equal(['metadata.name', 'metadata.namespace', 'type']);
    expect(supportedFields('Widget')).to.deep.equal(['metadata.name', 'metadata.namespace']);
    expect(supportedFields('Pod')).to.include.members(['spec.nodeName', 'status.phase', 'status.podIP', 'status.nominatedNodeName']);
  });
});
