import { expect } from 'chai';
import type { KubeObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { statefulSetStrategy } from './statefulSets.js';

type Obj = Record<string, unknown>;
const labels = { app: 'db' };
const template = (podSpec: Obj = {}, tlabels: Record<string, string> = labels): Obj => ({ metadata: { labels: tlabels }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...podSpec } });
const claimTemplate = (name = 'data', spec: Obj = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }): Obj => ({ metadata: { name }, spec });
const base = (extra: Obj = {}): Obj => ({ selector: { matchLabels: labels }, serviceName: 'db', template: template(), ...extra });

/** A StatefulSet as the store admits it on create: prepareForCreate, defaults, validate. */
function admit(spec: Obj): { sts: KubeObject; causes: FieldCause[] } {
  const sts = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'default' }, spec: structuredClone(spec) } as KubeObject;
  statefulSetStrategy.prepareForCreate!(sts);
  statefulSetStrategy.defaults!(sts);
  return { sts, causes: statefulSetStrategy.validate!(sts) };
}

const fields = (causes: FieldCause[]): string[] => causes.map((c) => `${c.field}: ${c.message}`);

describe('statefulset strategy: defaults', () => {
  it('Kubernetes\' defaults: OrderedReady, RollingUpdate partition 0, 1 replica, history 10, Retain/Retain, pod defaults, zero counters', () => {
    const { sts, causes } = admit(base({ volumeClaimTemplates: [claimTemplate()] }));
    expect(causes).to.deep.equal([]);
    const spec = sts.spec as Obj;
    expect(spec).to.deep.include({
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      replicas: 1,
      revisionHistoryLimit: 10,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    });
    expect((spec.template as { spec: Obj }).spec).to.include({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30 });
    expect(spec.volumeClaimTemplates).to.deep.equal([
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' }, status: { phase: 'Pending' } },
    ]);
    expect(sts.status).to.deep.equal({ replicas: 0, availableReplicas: 0 });
  });
  const kept: { name: string; spec: Obj; want: Obj }[] = [
    { name: 'OnDelete gets no rollingUpdate', spec: base({ updateStrategy: { type: 'OnDelete' } }), want: { updateStrategy: { type: 'OnDelete' } } },
    { name: 'a given partition is kept', spec: base({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }), want: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } } },
    { name: 'RollingUpdate without rollingUpdate stays without it (Kubernetes defaults it only with the type)', spec: base({ updateStrategy: { type: 'RollingUpdate' } }), want: { updateStrategy: { type: 'RollingUpdate' } } },
    { name: 'Parallel and replicas 0 are kept', spec: base({ podManagementPolicy: 'Parallel', replicas: 0 }), want: { podManagementPolicy: 'Parallel', replicas: 0 } },
    { name: 'one retention policy given, the other defaulted', spec: base({ persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete' } }), want: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } } },
  ];
  for (const tc of kept) {
    it(tc.name, () => {
      const { sts, causes } = admit(tc.spec);
      expect(causes).to.deep.equal([]);
      expect(sts.spec).to.deep.include(tc.want);
    });
  }
});

describe('statefulset strategy: validation', () => {
  const cases: { name: string; spec: Obj; want: string[] }[] = [
    { name: 'no selector', spec: { template: template() }, want: ['spec.selector: Required value'] },
    { name: 'an empty selector', spec: base({ selector: {} }), want: ['spec.selector: Invalid value: {}: empty selector is invalid for statefulset'] },
    { name: 'a selector that misses the template', spec: base({ selector: { matchLabels: { app: 'x' } } }), want: ['spec.template.metadata.labels: Invalid value: {"app":"db"}: `selector` does not match template `labels`'] },
    { name: 'a bad selector operator', spec: base({ selector: { matchExpressions: [{ key: 'app', operator: 'Near', values: ['db'] }] } }), want: ['spec.selector.matchExpressions[0].operator: Unsupported value: "Near": supported values: "DoesNotExist", "Exists", "In", "NotIn"'] },
    { name: 'no template', spec: { selector: { matchLabels: labels } }, want: ['spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`', 'spec.template: Required value'] },
    { name: 'restartPolicy Never', spec: base({ template: template({ restartPolicy: 'Never' }) }), want: ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'] },
    { name: 'activeDeadlineSeconds', spec: base({ template: template({ activeDeadlineSeconds: 5 }) }), want: ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported'] },
    { name: 'no containers', spec: base({ template: { metadata: { labels }, spec: { containers: [] } } }), want: ['spec.template.spec.containers: Required value'] },
    { name: 'an unknown pod management policy', spec: base({ podManagementPolicy: 'Random' }), want: ['spec.podManagementPolicy: Invalid value: "Random": must be \'OrderedReady\' or \'Parallel\''] },
    { name: 'an unknown update strategy', spec: base({ updateStrategy: { type: 'Rolling' } }), want: ['spec.updateStrategy.type: Invalid value: "Rolling": must be \'RollingUpdate\' or \'OnDelete\''] },
    { name: 'OnDelete with rollingUpdate', spec: base({ updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 1 } } }), want: ['spec.updateStrategy.rollingUpdate: Invalid value: {"partition":1}: only allowed for updateStrategy \'RollingUpdate\''] },
    { name: 'a negative partition', spec: base({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: -1 } } }), want: ['spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0'] },
    { name: 'maxUnavailable 0', spec: base({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } } }), want: ['spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: must be greater than 0'] },
    { name: 'maxUnavailable not a percent', spec: base({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 'half' } } }), want: ['spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: "half": a valid percent string must be a numeric string followed by an ending \'%\' (e.g. \'1%\',  or \'93%\', regex used for validation is \'[0-9]+%\')'] },
    {
      name: 'negative counts and ordinals',
      spec: base({ replicas: -1, minReadySeconds: -2, revisionHistoryLimit: -3, ordinals: { start: -4 } }),
      want: ['spec.replicas: Invalid value: -1: must be greater than or equal to 0', 'spec.minReadySeconds: Invalid value: -2: must be greater than or equal to 0', 'spec.revisionHistoryLimit: Invalid value: -3: must be greater than or equal to 0', 'spec.ordinals.start: Invalid value: -4: must be greater than or equal to 0'],
    },
    { name: 'an unknown retention policy', spec: base({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Keep', whenScaled: 'Retain' } }), want: ['spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Delete", "Retain"'] },
    { name: 'a service name that is no DNS name', spec: base({ serviceName: 'Bad_Name' }), want: ['spec.serviceName: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')'] },
    {
      name: 'claim templates: no name, a duplicate, no size, no modes',
      spec: base({ volumeClaimTemplates: [claimTemplate(''), claimTemplate('data'), claimTemplate('data', { accessModes: ['ReadWriteOnce'], resources: { requests: {} } }), claimTemplate('logs', { resources: { requests: { storage: '1Gi' } } })] }),
      want: [
        'spec.volumeClaimTemplates[0].metadata.name: Required value',
        'spec.volumeClaimTemplates[2].metadata.name: Duplicate value: "data"',
        'spec.volumeClaimTemplates[2].spec.resources[storage]: Required value',
        'spec.volumeClaimTemplates[3].spec.accessModes: Required value: at least 1 access mode is required',
      ],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const got = fields(admit(tc.spec).causes);
      expect(got).to.have.members(tc.want);
    });
  }
});

describe('statefulset strategy: updates', () => {
  const old = admit(base({ replicas: 2, volumeClaimTemplates: [claimTemplate()] })).sts;
  const update = (change: (spec: Obj) => void): string[] => {
    const next = structuredClone(old);
    change(next.spec as Obj);
    statefulSetStrategy.defaults!(next);
    return fields([...statefulSetStrategy.validate!(next), ...statefulSetStrategy.validateUpdate!(next, old)]);
  };
  const forbidden = 'spec: Forbidden: updates to statefulset spec for fields other than \'replicas\', \'ordinals\', \'template\', \'updateStrategy\', \'revisionHistoryLimit\', \'persistentVolumeClaimRetentionPolicy\' and \'minReadySeconds\' are forbidden';
  const cases: { name: string; change: (spec: Obj) => void; want: string[] }[] = [
    { name: 'replicas', change: (s) => (s.replicas = 5), want: [] },
    { name: 'the template', change: (s) => ((s.template as { spec: { containers: Obj[] } }).spec.containers[0]!.image = 'busybox:2'), want: [] },
    { name: 'update strategy, history, retention, ordinals, minReadySeconds', change: (s) => Object.assign(s, { updateStrategy: { type: 'OnDelete' }, revisionHistoryLimit: 3, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' }, ordinals: { start: 1 }, minReadySeconds: 4 }), want: [] },
    { name: 'a bigger claim template', change: (s) => (((s.volumeClaimTemplates as Obj[])[0]!.spec as { resources: { requests: Obj } }).resources.requests.storage = '2Gi'), want: [forbidden] },
    { name: 'another service name', change: (s) => (s.serviceName = 'other'), want: [forbidden] },
    { name: 'another pod management policy', change: (s) => (s.podManagementPolicy = 'Parallel'), want: [forbidden] },
    { name: 'another selector (that still matches)', change: (s) => (s.selector = { matchExpressions: [{ key: 'app', operator: 'Exists' }] }), want: [forbidden] },
  ];
  for (const tc of cases) it(tc.name, () => expect(update(tc.change)).to.deep.equal(tc.want));
});
