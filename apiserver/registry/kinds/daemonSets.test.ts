import { expect } from 'chai';
import type { KubeObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { controllerRevisionStrategy, daemonSetStrategy, templateGenerationAnnotation } from './daemonSets.js';

type Obj = Record<string, unknown>;
const labels = { app: 'agent' };
const template = (podSpec: Obj = {}, tlabels: Record<string, string> = labels): Obj => ({ metadata: { labels: tlabels }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...podSpec } });

/** A DaemonSet as the store admits it on create: prepareForCreate, defaults, validate. */
function admit(spec: Obj): { ds: KubeObject; causes: FieldCause[] } {
  const ds = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'default', uid: 'u-1' }, spec: structuredClone(spec) } as KubeObject;
  daemonSetStrategy.prepareForCreate!(ds);
  daemonSetStrategy.defaults!(ds);
  return { ds, causes: daemonSetStrategy.validate!(ds) };
}

const fields = (causes: FieldCause[]): string[] => causes.map((c) => `${c.field}: ${c.message}`);

describe('daemonset strategy: defaults', () => {
  it('Kubernetes\' defaults: RollingUpdate 1/0, history 10, pod defaults, template generation 1, zero counters', () => {
    const { ds, causes } = admit({ selector: { matchLabels: labels }, template: template() });
    expect(causes).to.deep.equal([]);
    const spec = ds.spec as Obj;
    expect(spec.updateStrategy).to.deep.equal({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(spec.revisionHistoryLimit).to.equal(10);
    expect((spec.template as { spec: Obj }).spec).to.include({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30 });
    expect(ds.metadata.annotations).to.deep.equal({ [templateGenerationAnnotation]: '1' });
    expect(ds.status).to.deep.equal({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });
  });
  it('OnDelete gets no rollingUpdate; given values are kept', () => {
    expect(admit({ selector: { matchLabels: labels }, template: template(), updateStrategy: { type: 'OnDelete' } }).ds.spec).to.deep.include({ updateStrategy: { type: 'OnDelete' } });
    const kept = admit({ selector: { matchLabels: labels }, template: template(), updateStrategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } } });
    expect(kept.causes).to.deep.equal([]);
    expect((kept.ds.spec as Obj).updateStrategy).to.deep.equal({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } });
  });
});

describe('daemonset strategy: validation', () => {
  const sel = { matchLabels: labels };
  const cases: { name: string; spec: Obj; want: string[] }[] = [
    { name: 'no selector', spec: { template: template() }, want: ['spec.selector: Required value'] },
    { name: 'an empty selector', spec: { selector: {}, template: template() }, want: ['spec.selector: Invalid value: {}: empty selector is invalid for daemonset'] },
    { name: 'a selector that misses the template', spec: { selector: { matchLabels: { app: 'x' } }, template: template() }, want: ['spec.template.metadata.labels: Invalid value: {"app":"agent"}: `selector` does not match template `labels`'] },
    { name: 'restartPolicy Never', spec: { selector: sel, template: template({ restartPolicy: 'Never' }) }, want: ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'] },
    { name: 'activeDeadlineSeconds', spec: { selector: sel, template: template({ activeDeadlineSeconds: 5 }) }, want: ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported'] },
    { name: 'no containers', spec: { selector: sel, template: { metadata: { labels }, spec: { containers: [] } } }, want: ['spec.template.spec.containers: Required value'] },
    {
      name: 'both 0',
      spec: { selector: sel, template: template(), updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } } },
      want: ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0'],
    },
    {
      name: 'both non-zero',
      spec: { selector: sel, template: template(), updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } },
      want: ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero'],
    },
    {
      name: 'over 100%, negative',
      spec: { selector: sel, template: template(), updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '150%', maxSurge: -1 } } },
      want: ['spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%', 'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0'],
    },
    { name: 'an unknown strategy', spec: { selector: sel, template: template(), updateStrategy: { type: 'Recreate' } }, want: ['spec.updateStrategy.type: Unsupported value: "Recreate": supported values: "RollingUpdate", "OnDelete"'] },
    { name: 'negative minReadySeconds', spec: { selector: sel, template: template(), minReadySeconds: -1 }, want: ['spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0'] },
  ];
  for (const tc of cases) it(tc.name, () => expect(fields(admit(tc.spec).causes)).to.deep.equal(tc.want));
});

describe('daemonset strategy: updates', () => {
  const created = (): KubeObject => admit({ selector: { matchLabels: labels }, template: template() }).ds;
  it('the selector is immutable', () => {
    const old = created();
    const next = structuredClone(old);
    (next.spec as Obj).selector = { matchLabels: { app: 'other' } };
    expect(fields(daemonSetStrategy.validateUpdate!(next, old))).to.deep.equal(['spec.selector: Invalid value: {"matchLabels":{"app":"other"}}: field is immutable']);
  });
  const generations: { name: string; change: (ds: KubeObject) => void; want: string }[] = [
    { name: 'a template change bumps the template generation', change: (ds) => (((ds.spec as Obj).template as { spec: { containers: Obj[] } }).spec.containers[0]!.image = 'busybox:2'), want: '2' },
    { name: 'another change does not', change: (ds) => ((ds.spec as Obj).minReadySeconds = 3), want: '1' },
    { name: 'a client cannot set it', change: (ds) => (ds.metadata.annotations = { [templateGenerationAnnotation]: '9' }), want: '1' },
  ];
  for (const tc of generations) {
    it(tc.name, () => {
      const old = created();
      const next = structuredClone(old);
      tc.change(next);
      daemonSetStrategy.prepareForUpdate!(next, old);
      expect(next.metadata.annotations?.[templateGenerationAnnotation]).to.equal(tc.want);
    });
  }
});

describe('controllerrevision strategy', () => {
  const cr = (data: unknown, revision?: number): KubeObject => ({ apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, data, ...(revision === undefined ? {} : { revision }) }) as KubeObject;
  it('revision is required and not negative', () => {
    expect(fields(controllerRevisionStrategy.validate!(cr({}, 1)))).to.deep.equal([]);
    expect(fields(controllerRevisionStrategy.validate!(cr({})))).to.deep.equal(['revision: Required value']);
    expect(fields(controllerRevisionStrategy.validate!(cr({}, -1)))).to.deep.equal(['revision: Invalid value: -1: must be greater than or equal to 0']);
  });
  it('data is immutable, the revision number may move', () => {
    expect(fields(controllerRevisionStrategy.validateUpdate!(cr({ a: 1 }, 4), cr({ a: 1 }, 1)))).to.deep.equal([]);
    expect(fields(controllerRevisionStrategy.validateUpdate!(cr({ a: 2 }, 1), cr({ a: 1 }, 1)))).to.deep.equal(['data: Invalid value: {"a":2}: field is immutable']);
  });
});
