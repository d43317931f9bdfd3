import { expect } from 'chai';
import { makeJob, makePod, type PodOpts } from './fixtures.js';
import { failJobMessage, matchPodFailurePolicy, type PolicyMatch } from './podFailurePolicy.js';
import type { PodFailurePolicyRule } from './types.js';

const exitIn = (values: number[], action: string, containerName?: string): PodFailurePolicyRule => ({ action, onExitCodes: { operator: 'In', values, ...(containerName ? { containerName } : {}) } });
const exitNotIn = (values: number[], action: string, containerName?: string): PodFailurePolicyRule => ({ action, onExitCodes: { operator: 'NotIn', values, ...(containerName ? { containerName } : {}) } });
const condition = (type: string, action: string, status?: string): PodFailurePolicyRule => ({ action, onPodConditions: [{ type, ...(status ? { status } : {}) }] });
const disrupted = { type: 'DisruptionTarget', status: 'True' };

interface Case {
  name: string;
  rules: PodFailurePolicyRule[];
  pod: PodOpts;
  want: PolicyMatch;
}

const cases: Case[] = [
  { name: 'no rule matches: the failure counts', rules: [exitIn([2, 3], 'FailJob')], pod: { phase: 'Failed', exitCode: 1 }, want: { countFailed: true } },
  { name: 'In: FailJob with the Kubernetes message', rules: [exitIn([42], 'FailJob')], pod: { phase: 'Failed', exitCode: 42 }, want: { action: 'FailJob', countFailed: true, failJobMessage: 'Container c for pod ns/NAME failed with exit code 42 matching FailJob rule at index 0' } },
  { name: 'NotIn: any other non-zero code matches', rules: [exitNotIn([1, 2], 'FailJob')], pod: { phase: 'Failed', exitCode: 3 }, want: { action: 'FailJob', countFailed: true, failJobMessage: 'Container c for pod ns/NAME failed with exit code 3 matching FailJob rule at index 0' } },
  { name: 'NotIn: a listed code does not match', rules: [exitNotIn([1, 2], 'FailJob')], pod: { phase: 'Failed', exitCode: 2 }, want: { countFailed: true } },
  {
    name: 'NotIn: a container that exited 0 never matches (another failed with a listed code)',
    rules: [exitNotIn([1], 'FailJob')],
    pod: { phase: 'Failed', containers: [{ name: 'sidecar', exitCode: 0 }, { name: 'main', exitCode: 1 }] },
    want: { countFailed: true },
  },
  { name: 'a container still running has no exit code to match', rules: [exitNotIn([1], 'FailJob')], pod: { phase: 'Failed', containers: [{ name: 'main', exitCode: 1 }, { name: 'slow' }] }, want: { countFailed: true } },
  { name: 'first match wins: Ignore before FailJob', rules: [exitIn([42], 'Ignore'), exitIn([42], 'FailJob')], pod: { phase: 'Failed', exitCode: 42 }, want: { action: 'Ignore', countFailed: false } },
  { name: 'first match wins: Count before Ignore', rules: [exitIn([5], 'Count'), condition('DisruptionTarget', 'Ignore')], pod: { phase: 'Failed', exitCode: 5, conditions: [disrupted] }, want: { action: 'Count', countFailed: true } },
  { name: 'a later rule matches when earlier ones do not', rules: [exitIn([1], 'Ignore'), exitIn([42], 'FailJob')], pod: { phase: 'Failed', exitCode: 42 }, want: { action: 'FailJob', countFailed: true, failJobMessage: 'Container c for pod ns/NAME failed with exit code 42 matching FailJob rule at index 1' } },
  { name: 'containerName restricts the check', rules: [exitIn([42], 'FailJob', 'main')], pod: { phase: 'Failed', containers: [{ name: 'helper', exitCode: 42 }, { name: 'main', exitCode: 1 }] }, want: { countFailed: true } },
  {
    name: 'containerName matches that container only',
    rules: [exitIn([42], 'FailJob', 'main')],
    pod: { phase: 'Failed', containers: [{ name: 'helper', exitCode: 1 }, { name: 'main', exitCode: 42 }] },
    want: { action: 'FailJob', countFailed: true, failJobMessage: 'Container main for pod ns/NAME failed with exit code 42 matching FailJob rule at index 0' },
  },
  {
    name: 'init containers are checked after app containers',
    rules: [exitIn([7], 'FailJob')],
    pod: { phase: 'Failed', containers: [{ name: 'setup', exitCode: 7, init: true }, { name: 'main' }] },
    want: { action: 'FailJob', countFailed: true, failJobMessage: 'Container setup for pod ns/NAME failed with exit code 7 matching FailJob rule at index 0' },
  },
  { name: 'DisruptionTarget True: Ignore', rules: [condition('DisruptionTarget', 'Ignore')], pod: { phase: 'Failed', exitCode: 137, conditions: [disrupted] }, want: { action: 'Ignore', countFailed: false } },
  { name: 'pattern status defaults to True', rules: [condition('DisruptionTarget', 'Ignore')], pod: { phase: 'Failed', conditions: [{ type: 'DisruptionTarget', status: 'False' }] }, want: { countFailed: true } },
  { name: 'pattern status False matches a False condition', rules: [condition('DisruptionTarget', 'Ignore', 'False')], pod: { phase: 'Failed', conditions: [{ type: 'DisruptionTarget', status: 'False' }] }, want: { action: 'Ignore', countFailed: false } },
  { name: 'condition FailJob message', rules: [condition('ConfigIssue', 'FailJob')], pod: { phase: 'Failed', conditions: [{ type: 'ConfigIssue', status: 'True' }] }, want: { action: 'FailJob', countFailed: true, failJobMessage: 'Pod ns/NAME has condition ConfigIssue matching FailJob rule at index 0' } },
  { name: 'an unknown action skips the rule', rules: [exitIn([42], 'Retry'), exitIn([42], 'Ignore')], pod: { phase: 'Failed', exitCode: 42 }, want: { action: 'Ignore', countFailed: false } },
  { name: 'FailIndex (not supported here) skips the rule', rules: [exitIn([42], 'FailIndex')], pod: { phase: 'Failed', exitCode: 42 }, want: { countFailed: true } },
];

describe('podFailurePolicy: matching one failed pod', () => {
  for (const tc of cases) {
    it(tc.name, () => {
      const pod = makePod(tc.pod);
      const got = matchPodFailurePolicy({ rules: tc.rules }, pod);
      const want = tc.want.failJobMessage ? { ...tc.want, failJobMessage: tc.want.failJobMessage.replace('NAME', pod.metadata.name!) } : tc.want;
      expect(got).to.deep.equal(want);
    });
  }

  it('no policy: every failure counts', () => {
    expect(matchPodFailurePolicy(undefined, makePod({ phase: 'Failed', exitCode: 42 }))).to.deep.equal({ countFailed: true });
  });

  it('failJobMessage: the first failed pod matching FailJob, none for Ignore or Count', () => {
    const job = makeJob({ podFailurePolicy: { rules: [exitIn([1], 'Ignore'), exitIn([2], 'Count'), exitIn([42], 'FailJob')] } });
    const ignored = makePod({ phase: 'Failed', exitCode: 1 });
    const counted = makePod({ phase: 'Failed', exitCode: 2 });
    const fatal = makePod({ phase: 'Failed', exitCode: 42 });
    expect(failJobMessage(job, [ignored, counted])).to.equal(undefined);
    expect(failJobMessage(job, [ignored, fatal, counted])).to.equal(`Container c for pod ns/${fatal.metadata.name!} failed with exit code 42 matching FailJob rule at index 2`);
    expect(failJobMessage(makeJob(), [fatal]), 'no policy').to.equal(undefined);
  });
});
