import { expect } from 'chai';
import type { KubeObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { cronJobStrategy, jobStrategy } from './jobs.js';

type Obj = Record<string, unknown>;
const template = (restartPolicy = 'Never'): Obj => ({ spec: { restartPolicy, initContainers: [{ name: 'setup', image: 'busybox' }], containers: [{ name: 'main', image: 'busybox' }] } });
const exitCodes = (operator: unknown, values: unknown[], extra: Obj = {}): Obj => ({ action: 'FailJob', onExitCodes: { operator, values, ...extra } });
const conditions = (...patterns: Obj[]): Obj => ({ action: 'Ignore', onPodConditions: patterns });

/** A Job as the store admits it on create: prepareForCreate, defaults, validate. */
function admit(spec: Obj): { job: KubeObject; causes: FieldCause[] } {
  const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default', uid: 'u-1' }, spec: { template: template(), ...structuredClone(spec) } } as KubeObject;
  jobStrategy.prepareForCreate!(job);
  jobStrategy.defaults!(job);
  return { job, causes: jobStrategy.validate!(job) };
}
const fields = (causes: FieldCause[]): string[] => causes.map((c) => `${c.field}: ${c.message}`);
const policy = (...rules: Obj[]): Obj => ({ podFailurePolicy: { rules } });

describe('job strategy: podFailurePolicy', () => {
  it('defaults: podReplacementPolicy Failed, a condition pattern\'s status True', () => {
    const { job, causes } = admit(policy(conditions({ type: 'DisruptionTarget' }), exitCodes('In', [42])));
    expect(causes).to.deep.equal([]);
    const spec = job.spec as { podReplacementPolicy: string; podFailurePolicy: { rules: { onPodConditions?: Obj[] }[] } };
    expect(spec.podReplacementPolicy).to.equal('Failed');
    expect(spec.podFailurePolicy.rules[0]!.onPodConditions).to.deep.equal([{ type: 'DisruptionTarget', status: 'True' }]);
  });

  const many = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
  const cases: { name: string; spec: Obj; want: string[] }[] = [
    { name: 'the docs\' example: FailJob on 42 in main, Ignore DisruptionTarget', spec: policy(exitCodes('In', [42], { containerName: 'main' }), conditions({ type: 'DisruptionTarget', status: 'True' })), want: [] },
    { name: 'NotIn may list 0', spec: policy(exitCodes('NotIn', [0, 1])), want: [] },
    { name: 'an init container may be named', spec: policy(exitCodes('In', [3], { containerName: 'setup' })), want: [] },
    { name: 'Count and a custom qualified condition type', spec: policy({ action: 'Count', onPodConditions: [{ type: 'example.com/Broken', status: 'Unknown' }] }), want: [] },
    { name: 'restartPolicy OnFailure', spec: { template: template('OnFailure'), ...policy(exitCodes('In', [1])) }, want: ['spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified'] },
    { name: 'podReplacementPolicy TerminatingOrFailed', spec: { podReplacementPolicy: 'TerminatingOrFailed', ...policy(exitCodes('In', [1])) }, want: ['spec.podReplacementPolicy: Unsupported value: "TerminatingOrFailed": supported values: "Failed"'] },
    { name: 'more than 20 rules', spec: policy(...Array.from({ length: 21 }, () => exitCodes('In', [1]))), want: ['spec.podFailurePolicy.rules: Too many: 21: must have at most 20 items'] },
    { name: 'neither onExitCodes nor onPodConditions', spec: policy({ action: 'FailJob' }), want: ['spec.podFailurePolicy.rules[0]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required'] },
    {
      name: 'both onExitCodes and onPodConditions',
      spec: policy({ action: 'FailJob', onExitCodes: { operator: 'In', values: [1] }, onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }),
      want: ['spec.podFailurePolicy.rules[0]: Invalid value: specifying both OnExitCodes and OnPodConditions is not supported'],
    },
    { name: 'no action', spec: policy({ onExitCodes: { operator: 'In', values: [1] } }), want: ['spec.podFailurePolicy.rules[0].action: Required value: valid values: ["Count" "FailIndex" "FailJob" "Ignore"]'] },
    { name: 'an unknown action', spec: policy({ ...exitCodes('In', [1]), action: 'Retry' }), want: ['spec.podFailurePolicy.rules[0].action: Unsupported value: "Retry": supported values: "Count", "FailIndex", "FailJob", "Ignore"'] },
    { name: 'FailIndex without backoffLimitPerIndex', spec: policy({ ...exitCodes('In', [1]), action: 'FailIndex' }), want: ['spec.podFailurePolicy.rules[0].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set'] },
    { name: 'FailIndex with backoffLimitPerIndex: that field is not supported yet', spec: { completionMode: 'Indexed', completions: 2, backoffLimitPerIndex: 1, ...policy({ ...exitCodes('In', [1]), action: 'FailIndex' }) }, want: ['spec.backoffLimitPerIndex: Forbidden: not supported by this server yet'] },
    { name: 'an unknown operator', spec: policy(exitCodes('Is', [1])), want: ['spec.podFailurePolicy.rules[0].onExitCodes.operator: Unsupported value: "Is": supported values: "In", "NotIn"'] },
    { name: 'no operator', spec: policy({ action: 'FailJob', onExitCodes: { values: [1] } }), want: ['spec.podFailurePolicy.rules[0].onExitCodes.operator: Required value: valid values: ["In" "NotIn"]'] },
    { name: 'a container the template does not have', spec: policy(exitCodes('In', [1], { containerName: 'mian' })), want: ['spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: "mian": must be one of the container or initContainer names in the pod template'] },
    { name: 'no values', spec: policy(exitCodes('In', [])), want: ['spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []: at least one value is required'] },
    { name: 'more than 255 values', spec: policy(exitCodes('NotIn', many(256))), want: ['spec.podFailurePolicy.rules[0].onExitCodes.values: Too many: 256: must have at most 255 items'] },
    { name: '255 values are fine', spec: policy(exitCodes('NotIn', many(255))), want: [] },
    { name: '0 with In', spec: policy(exitCodes('In', [0, 1])), want: ['spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator'] },
    { name: 'duplicate values', spec: policy(exitCodes('In', [11, 11])), want: ['spec.podFailurePolicy.rules[0].onExitCodes.values[1]: Duplicate value: 11'] },
    { name: 'unordered values', spec: policy(exitCodes('In', [2, 1])), want: ['spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: [2,1]: must be ordered'] },
    { name: 'a condition status that is not True/False/Unknown', spec: policy(conditions({ type: 'DisruptionTarget', status: 'Maybe' })), want: ['spec.podFailurePolicy.rules[0].onPodConditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"'] },
    { name: 'a condition type that is not a qualified name', spec: policy(conditions({ type: 'Disruption Target', status: 'True' })), want: ["spec.podFailurePolicy.rules[0].onPodConditions[0].type: Invalid value: \"Disruption Target\": the name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"] },
    { name: 'more than 20 condition patterns', spec: policy(conditions(...Array.from({ length: 21 }, (_, i) => ({ type: `C${i}`, status: 'True' })))), want: ['spec.podFailurePolicy.rules[0].onPodConditions: Too many: 21: must have at most 20 items'] },
    {
      name: 'every problem of a rule, with its index',
      spec: policy(exitCodes('In', [1]), { action: 'Bad', onExitCodes: { operator: 'In', values: [3, 0, 3] } }),
      want: [
        'spec.podFailurePolicy.rules[1].action: Unsupported value: "Bad": supported values: "Count", "FailIndex", "FailJob", "Ignore"',
        'spec.podFailurePolicy.rules[1].onExitCodes.values[1]: Invalid value: 0: must not be 0 for the In operator',
        'spec.podFailurePolicy.rules[1].onExitCodes.values[2]: Duplicate value: 3',
        'spec.podFailurePolicy.rules[1].onExitCodes.values: Invalid value: [3,0,3]: must be ordered',
      ],
    },
  ];
  for (const tc of cases) it(tc.name, () => expect(fields(admit(tc.spec).causes)).to.deep.equal(tc.want));

  it('a CronJob\'s jobTemplate is checked at its own path', () => {
    const cj = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: 'default', uid: 'u-2' }, spec: { schedule: '@hourly', jobTemplate: { spec: { template: template(), ...policy(exitCodes('In', [0])) } } } } as KubeObject;
    cronJobStrategy.defaults!(cj);
    expect(fields(cronJobStrategy.validate!(cj))).to.deep.equal(['spec.jobTemplate.spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator']);
  });

  it('updates: the policy is immutable', () => {
    const old = admit(policy(exitCodes('In', [42]))).job;
    const same = structuredClone(old);
    (same.spec as Obj).parallelism = 3;
    expect(jobStrategy.validateUpdate!(same, old)).to.deep.equal([]);
    const changed = structuredClone(old);
    (changed.spec as Obj).podFailurePolicy = { rules: [exitCodes('In', [43])] };
    expect(fields(jobStrategy.validateUpdate!(changed, old)).map((f) => f.split(':')[0])).to.deep.equal(['spec.podFailurePolicy']);
  });
});
