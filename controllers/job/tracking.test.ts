import { expect } from 'chai';
import { makeJob, makePod } from './fixtures.js';
import { track } from './tracking.js';
import type { JobSpec, JobStatus, Pod } from './types.js';

const uids = (pods: Pod[]): string[] => pods.map((p) => p.metadata.uid ?? '');

describe('job tracking with finalizers', () => {
  const setup = (spec: JobSpec, status: JobStatus, pods: Pod[], extra: Partial<Parameters<typeof track>[0]> = {}) => track({ job: makeJob(spec, status), pods, removalsInFlight: new Set(), completed: new Set(), ...extra });

  it('finished pods are recorded as uncounted and may lose the finalizer; running ones keep it', () => {
    const ok = makePod({ phase: 'Succeeded' });
    const bad = makePod({ phase: 'Failed' });
    const run = makePod({ phase: 'Running' });
    const t = setup({}, {}, [ok, bad, run]);
    expect(t.uncountedSucceeded).to.deep.equal(uids([ok]));
    expect(t.uncountedFailed).to.deep.equal(uids([bad]));
    expect(uids(t.removeFinalizer)).to.deep.equal(uids([ok, bad]));
    expect([...t.withFinalizer]).to.deep.equal(uids([ok, bad, run]));
  });

  it('a pod already in uncountedTerminatedPods is not recorded twice, but still loses its finalizer', () => {
    const ok = makePod({ phase: 'Succeeded' });
    const t = setup({}, { uncountedTerminatedPods: { succeeded: uids([ok]) } }, [ok]);
    expect(t.uncountedSucceeded).to.deep.equal([]);
    expect(t.newSucceeded).to.deep.equal([]);
    expect(uids(t.removeFinalizer)).to.deep.equal(uids([ok]));
  });

  it('a pod whose finalizer removal is in flight is skipped (the cache is behind), but still held', () => {
    const ok = makePod({ phase: 'Succeeded' });
    const t = setup({}, {}, [ok], { removalsInFlight: new Set(uids([ok])) });
    expect(t.uncountedSucceeded).to.deep.equal([]);
    expect(t.removeFinalizer).to.deep.equal([]);
    expect([...t.withFinalizer]).to.deep.equal(uids([ok]));
  });

  it('pods without the finalizer are not this controller\'s to count', () => {
    const t = setup({}, {}, [makePod({ phase: 'Failed', finalizer: false })]);
    expect(t.uncountedFailed).to.deep.equal([]);
  });

  it('a deleted pod that did not succeed is a failure; with podReplacementPolicy Failed only once it failed', () => {
    const deleting = makePod({ phase: 'Running', deleting: true });
    expect(setup({}, {}, [deleting]).uncountedFailed).to.deep.equal(uids([deleting]));
    expect(setup({ podReplacementPolicy: 'Failed' }, {}, [deleting]).uncountedFailed).to.deep.equal([]);
  });

  it('a failing job counts every pod that did not succeed as failed', () => {
    const run = makePod({ phase: 'Running' });
    const t = setup({}, {}, [run], { finishing: 'Failed' });
    expect(t.uncountedFailed).to.deep.equal(uids([run]));
    expect(uids(t.removeFinalizer)).to.deep.equal(uids([run]));
  });

  it('Indexed: a success counts through its index once; a second pod of a completed index only loses its finalizer', () => {
    const a = makePod({ phase: 'Succeeded', index: 1 });
    const b = makePod({ phase: 'Succeeded', index: 1 });
    const c = makePod({ phase: 'Succeeded', index: 2 });
    const t = setup({ completionMode: 'Indexed', completions: 3 }, {}, [a, b, c], { completed: new Set([2]) });
    expect(t.newCompletedIndexes).to.deep.equal([1]);
    expect(t.uncountedSucceeded, 'indexed successes live in completedIndexes').to.deep.equal([]);
    expect(uids(t.newSucceeded)).to.deep.equal(uids([a]));
    expect(uids(t.removeFinalizer)).to.deep.equal(uids([a, b, c]));
  });

  it('podFailurePolicy Ignore: the failed pod loses its finalizer without counting; Count and unmatched count', () => {
    const spec: JobSpec = { podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }, { action: 'Count', onExitCodes: { operator: 'In', values: [2] } }] } };
    const disrupted = makePod({ phase: 'Failed', exitCode: 137, conditions: [{ type: 'DisruptionTarget', status: 'True' }] });
    const counted = makePod({ phase: 'Failed', exitCode: 2 });
    const unmatched = makePod({ phase: 'Failed', exitCode: 9 });
    const t = setup(spec, {}, [disrupted, counted, unmatched]);
    expect(uids(t.ignored)).to.deep.equal(uids([disrupted]));
    expect(t.uncountedFailed).to.deep.equal(uids([counted, unmatched]));
    expect(uids(t.newFailed)).to.deep.equal(uids([counted, unmatched]));
    expect(uids(t.removeFinalizer)).to.deep.equal(uids([disrupted, counted, unmatched]));
    // Still ignored while the job fails for another reason.
    expect(setup(spec, {}, [disrupted], { finishing: 'Failed' }).uncountedFailed).to.deep.equal([]);
  });

  it('podFailurePolicy: a pod being deleted counts only once it reached phase Failed (its exit codes are known)', () => {
    const deleting = makePod({ phase: 'Running', deleting: true });
    const t = setup({ podFailurePolicy: { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [1] } }] } }, {}, [deleting]);
    expect(t.uncountedFailed).to.deep.equal([]);
    expect(t.removeFinalizer).to.deep.equal([]);
  });
});
