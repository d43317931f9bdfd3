import { expect } from 'chai';
import { decide, type DecideInput, type Decision } from './decide.js';
import { T0, at, makeJob, makePod } from './fixtures.js';
import type { JobSpec, JobStatus, Pod } from './types.js';

const s = 1000;

interface Case {
  name: string;
  spec?: JobSpec;
  status?: JobStatus;
  active?: Pod[];
  now?: number;
  input?: Partial<DecideInput>;
  want: Partial<{ finishing: string; remove: number; countAsFailed: boolean; create: (number | undefined)[]; activeAfter: number; suspended: boolean; requeueAfterMs: number }>;
}

function summary(d: Decision): Case['want'] {
  return {
    ...(d.finishing ? { finishing: `${d.finishing.type}/${d.finishing.reason}` } : {}),
    remove: d.remove.pods.length,
    ...(d.remove.pods.length ? { countAsFailed: d.remove.countAsFailed } : {}),
    create: d.create,
    activeAfter: d.activeAfter,
    ...(d.suspended !== undefined ? { suspended: d.suspended } : {}),
    ...(d.requeueAfterMs !== undefined ? { requeueAfterMs: d.requeueAfterMs } : {}),
  };
}

const running = (n: number, opts: Parameters<typeof makePod>[0] = {}): Pod[] => Array.from({ length: n }, () => makePod({ phase: 'Running', ...opts }));

const cases: Case[] = [
  { name: 'a new job creates its first pod', want: { remove: 0, create: [undefined], activeAfter: 1, suspended: false } },
  { name: 'parallelism 3 of 10 completions', spec: { parallelism: 3, completions: 10 }, want: { remove: 0, create: [undefined, undefined, undefined], activeAfter: 3, suspended: false } },
  { name: 'never more than the remaining completions', spec: { parallelism: 5, completions: 10 }, input: { succeeded: 8 }, want: { remove: 0, create: [undefined, undefined], activeAfter: 2, suspended: false } },
  { name: 'all completions reached: complete', spec: { completions: 2 }, input: { succeeded: 2 }, want: { finishing: 'Complete/CompletionsReached', remove: 0, create: [], activeAfter: 0 } },
  { name: 'lowered parallelism deletes the extra pods (not failures)', spec: { parallelism: 1, completions: 5 }, active: running(3), want: { remove: 2, countAsFailed: false, create: [], activeAfter: 1, suspended: false } },
  { name: 'work queue: parallelism pods until one succeeds', spec: { parallelism: 3, completions: undefined }, want: { remove: 0, create: [undefined, undefined, undefined], activeAfter: 3, suspended: false } },
  { name: 'work queue: after a success the others run on, none are added', spec: { parallelism: 3, completions: undefined }, active: running(1), input: { succeeded: 1 }, want: { remove: 0, create: [], activeAfter: 1, suspended: false } },
  { name: 'work queue: a success and nothing running: complete', spec: { parallelism: 3, completions: undefined }, input: { succeeded: 1 }, want: { finishing: 'Complete/CompletionsReached', remove: 0, create: [], activeAfter: 0 } },
  { name: 'failures up to backoffLimit are replaced', spec: { backoffLimit: 2 }, input: { failed: 2 }, want: { remove: 0, create: [undefined], activeAfter: 1, suspended: false } },
  { name: 'one failure past backoffLimit fails the job and deletes the active pods as failures', spec: { backoffLimit: 2, parallelism: 2, completions: 4 }, active: running(1), input: { failed: 3 }, want: { finishing: 'Failed/BackoffLimitExceeded', remove: 1, countAsFailed: true, create: [], activeAfter: 0 } },
  { name: 'OnFailure: container restarts count against backoffLimit', spec: { backoffLimit: 3, template: { spec: { restartPolicy: 'OnFailure', containers: [] } } }, active: running(1, { restarts: 3 }), want: { finishing: 'Failed/BackoffLimitExceeded', remove: 1, countAsFailed: true, create: [], activeAfter: 0 } },
  { name: 'OnFailure with backoffLimit 0: one restart is too many', spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'OnFailure', containers: [] } } }, active: running(1, { restarts: 1 }), want: { finishing: 'Failed/BackoffLimitExceeded', remove: 1, countAsFailed: true, create: [], activeAfter: 0 } },
  { name: 'replacements wait for the failure back-off', input: { failed: 1, backoffRemainingMs: 7 * s }, want: { remove: 0, create: [], activeAfter: 0, suspended: false, requeueAfterMs: 7 * s } },
  { name: 'before the deadline: look again when it passes', spec: { activeDeadlineSeconds: 60 }, status: { startTime: at(T0) }, active: running(1), now: T0 + 45 * s, want: { remove: 0, create: [], activeAfter: 1, suspended: false, requeueAfterMs: 15 * s } },
  { name: 'past the deadline: failed', spec: { activeDeadlineSeconds: 60 }, status: { startTime: at(T0) }, active: running(2), now: T0 + 60 * s, want: { finishing: 'Failed/DeadlineExceeded', remove: 2, countAsFailed: true, create: [], activeAfter: 0 } },
  { name: 'a suspended job\'s deadline does not run', spec: { activeDeadlineSeconds: 60, suspend: true }, status: { startTime: at(T0) }, now: T0 + 3600 * s, want: { remove: 0, create: [], activeAfter: 0, suspended: true } },
  { name: 'suspend deletes the active pods (not failures)', spec: { suspend: true, parallelism: 2, completions: 4 }, active: running(2), want: { remove: 2, countAsFailed: false, create: [], activeAfter: 0, suspended: true } },
  { name: 'a FailureTarget written earlier stands', status: { conditions: [{ type: 'FailureTarget', status: 'True', reason: 'DeadlineExceeded', message: 'm' }] }, want: { finishing: 'Failed/DeadlineExceeded', remove: 0, countAsFailed: undefined, create: [], activeAfter: 0 } },
  { name: 'SuccessCriteriaMet written earlier stands', status: { conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }] }, want: { finishing: 'Complete/CompletionsReached', remove: 0, create: [], activeAfter: 0 } },
  { name: 'expectations pending: no pods are touched', input: { canManage: false }, want: { remove: 0, create: [], activeAfter: 0 } },
  { name: 'podReplacementPolicy Failed: terminating pods are waited for', spec: { podReplacementPolicy: 'Failed', parallelism: 2, completions: 4 }, input: { terminating: 1 }, want: { remove: 0, create: [undefined], activeAfter: 1, suspended: false } },
  { name: 'TerminatingOrFailed: terminating pods are replaced at once', spec: { parallelism: 2, completions: 4 }, input: { terminating: 1 }, want: { remove: 0, create: [undefined, undefined], activeAfter: 2, suspended: false } },
  // podFailurePolicy (the match itself is podFailurePolicy.ts's; decide acts on its FailJob message).
  { name: 'podFailurePolicy FailJob: Failed at once, before backoffLimit, active pods deleted as failures', spec: { parallelism: 3, completions: 3, backoffLimit: 6 }, active: running(2), input: { failed: 1, failJobMessage: 'Container main for pod ns/a failed with exit code 42 matching FailJob rule at index 0' }, want: { finishing: 'Failed/PodFailurePolicy', remove: 2, countAsFailed: true, create: [], activeAfter: 0 } },
  { name: 'podFailurePolicy FailJob wins over a passed deadline', spec: { activeDeadlineSeconds: 1 }, status: { startTime: at(T0) }, now: T0 + 5 * s, input: { failJobMessage: 'm' }, want: { finishing: 'Failed/PodFailurePolicy', remove: 0, create: [], activeAfter: 0 } },
  { name: 'a FailureTarget from backoffLimit written earlier stands over a later FailJob match', status: { conditions: [{ type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', message: 'm' }] }, input: { failJobMessage: 'x' }, want: { finishing: 'Failed/BackoffLimitExceeded', remove: 0, create: [], activeAfter: 0 } },
  // Indexed.
  { name: 'Indexed: the lowest pending indexes', spec: { completionMode: 'Indexed', completions: 5, parallelism: 3 }, active: [makePod({ index: 1 })], input: { completed: new Set([0]), succeeded: 1 }, want: { remove: 0, create: [2, 3], activeAfter: 3, suspended: false } },
  { name: 'Indexed: duplicates and bad indexes are deleted first', spec: { completionMode: 'Indexed', completions: 3, parallelism: 3 }, active: [makePod({ index: 1, createdAt: 1 }), makePod({ index: 1, createdAt: 2 }), makePod({ index: 7 }), makePod({ index: 0 })], input: { completed: new Set([0]), succeeded: 1 }, want: { remove: 3, countAsFailed: false, create: [], activeAfter: 1, suspended: false } },
  { name: 'Indexed: every index completed: complete', spec: { completionMode: 'Indexed', completions: 3, parallelism: 3 }, input: { completed: new Set([0, 1, 2]), succeeded: 3 }, want: { finishing: 'Complete/CompletionsReached', remove: 0, create: [], activeAfter: 0 } },
];

describe('decide (one Job sync, at an injected time)', () => {
  for (const tc of cases) {
    it(tc.name, () => {
      const job = makeJob(tc.spec, tc.status);
      const input: DecideInput = { job, now: tc.now ?? T0, active: tc.active ?? [], terminating: 0, succeeded: 0, failed: 0, completed: new Set(), backoffRemainingMs: 0, canManage: true, ...tc.input };
      const got = summary(decide(input));
      const want = { ...tc.want };
      if (want.countAsFailed === undefined) delete want.countAsFailed;
      expect(got).to.deep.equal(want);
    });
  }
});
