// batch/v1 Jobs and CronJobs through the real kubectl against a real API server and etcd:
// what users type (`create job`, `create cronjob`, `get`, `apply -f`, `explain`), with 1.27
// sending JSON and 1.33 protobuf bodies, and bad manifests answered with field paths.

import { expect } from 'chai';
import { kubectlSuite } from '../../testing/kubectlSuite.js';

type Obj = Record<string, unknown>;
const versions = [27, 33] as const;

describe('Jobs and CronJobs with the real kubectl (integration)', function () {
  this.timeout(180_000);
  const { cluster: c, run, ok, getJson, ns } = kubectlSuite({ versions, namespacePrefix: 'jobs' });

  it('create job: defaults, the generated selector and labels (JSON from 1.27, protobuf from 1.33)', async () => {
    const stored: Obj[] = [];
    for (const v of versions) {
      const out = await run(v, ['create', 'job', 'hello', '--image=busybox', '-n', ns(v), '-v=8', '--', 'echo', 'hi']);
      expect(out.code, out.stderr).to.equal(0);
      expect(out.stdout).to.equal('job.batch/hello created\n');
      // -v=8 logs the request's headers after its method and URL (1.33: `verb="POST" url=...`).
      const sent = /POST"? (?:url=")?https:\/\/[^\s]+\/jobs[\s\S]*?Content-Type: ([^\s"]+)/.exec(out.stderr)?.[1];
      expect(sent, `kubectl ${v}'s request body`).to.equal(v >= 32 ? 'application/vnd.kubernetes.protobuf' : 'application/json');
      stored.push(await getJson(`/apis/batch/v1/namespaces/${ns(v)}/jobs/hello`));
    }
    for (const job of stored) {
      const meta = job.metadata as { uid: string; labels: Record<string, string>; generation: number };
      const spec = job.spec as Obj & { template: { metadata: { labels: Record<string, string> }; spec: Obj & { containers: Obj[] } } };
      expect(spec).to.include({ completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, manualSelector: false, podReplacementPolicy: 'TerminatingOrFailed' });
      expect(spec.selector).to.deep.equal({ matchLabels: { 'batch.kubernetes.io/controller-uid': meta.uid } });
      expect(spec.template.metadata.labels).to.deep.equal({ 'batch.kubernetes.io/controller-uid': meta.uid, 'batch.kubernetes.io/job-name': 'hello', 'controller-uid': meta.uid, 'job-name': 'hello' });
      expect(meta.labels).to.deep.equal(spec.template.metadata.labels);
      expect(meta.generation).to.equal(1);
      expect(spec.template.spec.restartPolicy).to.equal('Never');
      expect(spec.template.spec.containers[0]).to.include({ image: 'busybox', imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log' });
      expect(spec.template.spec.containers[0]!.command).to.deep.equal(['echo', 'hi']);
      expect(job.status).to.deep.equal({});
    }
  });

  it('create cronjob and get: kubectl\'s columns for both kinds, cj as a short name', async () => {
    for (const v of versions) {
      expect(await ok(v, ['create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/1 * * * *', '-n', ns(v), '--', 'date'])).to.equal('cronjob.batch/tick created\n');
      const cj = await getJson(`/apis/batch/v1/namespaces/${ns(v)}/cronjobs/tick`);
      expect(cj.spec).to.include({ schedule: '*/1 * * * *', concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });

      const jobs = (await ok(v, ['get', 'jobs', '-n', ns(v)])).split('\n');
      expect(jobs[0]).to.match(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$/);
      expect(jobs[1]).to.match(/^hello\s+Running\s+0\/1\s+\d+s$/);
      const wide = (await ok(v, ['get', 'jobs', '-o', 'wide', '-n', ns(v)])).split('\n');
      expect(wide[0]).to.match(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);
      expect(wide[1]).to.match(/\shello\s+busybox\s+batch\.kubernetes\.io\/controller-uid=[0-9a-f-]+$/);

      const cjs = (await ok(v, ['get', 'cj', '-n', ns(v)])).split('\n');
      expect(cjs[0]).to.match(/^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE$/);
      expect(cjs[1]).to.match(/^tick\s+\*\/1 \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\d+s$/);

      const all = await ok(v, ['get', 'all', '-n', ns(v)]);
      expect(all).to.contain('job.batch/hello').and.to.contain('cronjob.batch/tick');
      expect(await ok(v, ['api-resources', '--api-group=batch', '--no-headers'])).to.match(/^cronjobs\s+cj\s+batch\/v1\s+true\s+CronJob\njobs\s+batch\/v1\s+true\s+Job\n$/);
    }
  });

  it('describe, and create job --from=cronjob/...', async () => {
    for (const v of versions) {
      const described = await ok(v, ['describe', 'job', 'hello', '-n', ns(v)]);
      expect(described).to.match(/^Name:\s+hello$/m);
      expect(described).to.match(/^Completions:\s+1$/m);
      expect(described).to.match(/^Completion Mode:\s+NonIndexed$/m);
      expect(described).to.match(/^Selector:\s+batch\.kubernetes\.io\/controller-uid=[0-9a-f-]+$/m);
      expect(described).to.match(/^Pods Statuses:\s+0 Active .* 0 Succeeded \/ 0 Failed$/m);
      expect(await ok(v, ['describe', 'cronjob', 'tick', '-n', ns(v)])).to.match(/^Schedule:\s+\*\/1 \* \* \* \*$/m);
      expect(await ok(v, ['create', 'job', 'manual', '--from=cronjob/tick', '-n', ns(v)])).to.equal('job.batch/manual created\n');
      const manual = await getJson(`/apis/batch/v1/namespaces/${ns(v)}/jobs/manual`);
      const meta = manual.metadata as { annotations: Record<string, string>; ownerReferences: Obj[]; uid: string };
      expect(meta.annotations['cronjob.kubernetes.io/instantiate']).to.equal('manual');
      expect(meta.ownerReferences[0]).to.include({ kind: 'CronJob', name: 'tick' });
      expect((manual.spec as Obj).selector).to.deep.equal({ matchLabels: { 'batch.kubernetes.io/controller-uid': meta.uid } });
    }
  });

  it('apply -f: created, configured, unchanged; the template and selector stay as they were', async () => {
    const v = 33;
    const manifest = (parallelism: number, image: string): string =>
      `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: work\nspec:\n  completions: 4\n  parallelism: ${parallelism}\n  template:\n    spec:\n      restartPolicy: OnFailure\n      containers:\n      - name: w\n        image: ${image}\n        command: [sh, -c, "exit 0"]\n`;
    expect(await ok(v, ['apply', '-n', ns(v), '-f', '-'], manifest(2, 'busybox:1.36'))).to.equal('job.batch/work created\n');
    expect(await ok(v, ['apply', '-n', ns(v), '-f', '-'], manifest(2, 'busybox:1.36'))).to.equal('job.batch/work unchanged\n');
    expect(await ok(v, ['apply', '-n', ns(v), '-f', '-'], manifest(3, 'busybox:1.36'))).to.equal('job.batch/work configured\n');
    const job = await getJson(`/apis/batch/v1/namespaces/${ns(v)}/jobs/work`);
    expect((job.spec as Obj).parallelism).to.equal(3);
    expect((job.metadata as Obj).generation).to.equal(2);

    const changed = await run(v, ['apply', '-n', ns(v), '-f', '-'], manifest(3, 'busybox:1.37'));
    expect(changed.code).to.not.equal(0);
    expect(changed.stderr).to.contain('The Job "work" is invalid').and.to.contain('spec.template: Invalid value').and.to.contain('field is immutable');

    const server = await run(v, ['apply', '--server-side', '-n', ns(v), '-f', '-'], manifest(1, 'busybox:1.36').replace('name: work', 'name: ssa'));
    expect(server.code, server.stderr).to.equal(0);
    expect(server.stdout).to.equal('job.batch/ssa serverside-applied\n');
  });

  it('bad manifests: 422 with field paths, for both kinds and both versions', async () => {
    const badJob = 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: bad\nspec:\n  backoffLimit: -1\n  template:\n    spec:\n      containers:\n      - name: c\n        image: busybox\n';
    const badCron = 'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: bad\nspec:\n  schedule: "every day"\n  timeZone: Mars/Base\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers:\n          - name: c\n            image: busybox\n';
    for (const v of versions) {
      const job = await run(v, ['apply', '-n', ns(v), '-f', '-'], badJob);
      expect(job.code).to.not.equal(0);
      expect(job.stderr).to.contain('The Job "bad" is invalid');
      expect(job.stderr).to.contain('spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0');
      expect(job.stderr).to.contain('spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"');
      const cron = await run(v, ['create', '-n', ns(v), '-f', '-'], badCron);
      expect(cron.code).to.not.equal(0);
      expect(cron.stderr).to.contain('The CronJob "bad" is invalid');
      expect(cron.stderr).to.contain('spec.schedule: Invalid value: "every day"');
      expect(cron.stderr).to.contain('spec.timeZone: Invalid value: "Mars/Base": unknown time zone Mars/Base');
      const typo = await run(v, ['create', 'cronjob', 'typo', '--image=busybox', '--schedule=61 * * * *', '-n', ns(v)]);
      expect(typo.code).to.not.equal(0);
      expect(typo.stderr).to.contain('spec.schedule: Invalid value: "61 * * * *"');
    }
    // A PUT may not point the selector elsewhere.
    const job = await getJson(`/apis/batch/v1/namespaces/${ns(33)}/jobs/hello`);
    (job.spec as Obj).selector = { matchLabels: { app: 'other' } };
    const res = await c.client.request('PUT', `/apis/batch/v1/namespaces/${ns(33)}/jobs/hello`, { body: job });
    expect(res.status).to.equal(422);
    expect(JSON.stringify((res.body as { details?: unknown }).details)).to.contain('"field":"spec.selector"');
  });

  it('create -f with a podFailurePolicy (the docs\' example): stored with its defaults; a bad policy gets field paths', async () => {
    const manifest = (name: string, rules: string): string =>
      `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: ${name}\nspec:\n  completions: 8\n  parallelism: 2\n  backoffLimit: 6\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: main\n        image: busybox\n        command: [sh, -c, "exit 42"]\n  podFailurePolicy:\n    rules:\n${rules}`;
    const good = '    - action: FailJob\n      onExitCodes:\n        containerName: main\n        operator: In\n        values: [42]\n    - action: Ignore\n      onPodConditions:\n      - type: DisruptionTarget\n';
    const bad = '    - action: FailJob\n      onExitCodes:\n        containerName: mian\n        operator: In\n        values: [42, 0, 42]\n    - action: FailIndex\n      onPodConditions:\n      - type: DisruptionTarget\n        status: Perhaps\n';
    for (const v of versions) {
      expect(await ok(v, ['create', '-n', ns(v), '-f', '-'], manifest('policy', good))).to.equal('job.batch/policy created\n');
      const spec = (await getJson(`/apis/batch/v1/namespaces/${ns(v)}/jobs/policy`)).spec as Obj;
      expect(spec.podReplacementPolicy, 'a policy defaults podReplacementPolicy to Failed').to.equal('Failed');
      expect(spec.podFailurePolicy).to.deep.equal({
        rules: [
          { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        ],
      });
      expect(await ok(v, ['get', 'job', 'policy', '-n', ns(v), '-o', 'jsonpath={.spec.podFailurePolicy.rules[1].onPodConditions[0].type}'])).to.equal('DisruptionTarget');

      const refused = await run(v, ['create', '-n', ns(v), '-f', '-'], manifest('badpolicy', bad));
      expect(refused.code).to.not.equal(0);
      expect(refused.stderr).to.contain('The Job "badpolicy" is invalid');
      for (const line of [
        'spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: "mian": must be one of the container or initContainer names in the pod template',
        'spec.podFailurePolicy.rules[0].onExitCodes.values[1]: Invalid value: 0: must not be 0 for the In operator',
        'spec.podFailurePolicy.rules[0].onExitCodes.values[2]: Duplicate value: 42',
        'spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: [42,0,42]: must be ordered',
        'spec.podFailurePolicy.rules[1].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set',
        'spec.podFailurePolicy.rules[1].onPodConditions[0].status: Unsupported value: "Perhaps": supported values: "False", "True", "Unknown"',
      ]) expect(refused.stderr, `kubectl 1.${v}`).to.contain(line);
      const onFailure = await run(v, ['create', '-n', ns(v), '-f', '-'], manifest('restarts', good).replace('restartPolicy: Never', 'restartPolicy: OnFailure'));
      expect(onFailure.stderr).to.contain('spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified');
    }
    expect(await ok(33, ['explain', 'job.spec.podFailurePolicy.rules.onExitCodes'])).to.match(/operator\s+<string>/);
    // A re-apply sends the rules again (an atomic list that differs from the live, defaulted one, so
    // kubectl says configured, as against Kubernetes); defaulted before the checks, it changes nothing
    // and is not refused as a change of the immutable policy.
    expect(await ok(33, ['apply', '-n', ns(33), '-f', '-'], manifest('applied', good))).to.equal('job.batch/applied created\n');
    expect(await ok(33, ['apply', '-n', ns(33), '-f', '-'], manifest('applied', good))).to.equal('job.batch/applied configured\n');
    expect(((await getJson(`/apis/batch/v1/namespaces/${ns(33)}/jobs/applied`)).metadata as Obj).generation, 'the spec did not change').to.equal(1);
    expect(await ok(33, ['apply', '-n', ns(33), '-f', '-'], manifest('applied', good).replace('parallelism: 2', 'parallelism: 1'))).to.equal('job.batch/applied configured\n');
    const changed = await run(33, ['apply', '-n', ns(33), '-f', '-'], manifest('applied', good.replace('values: [42]', 'values: [43]')));
    expect(changed.code).to.not.equal(0);
    expect(changed.stderr).to.contain('spec.podFailurePolicy: Invalid value').and.to.contain('field is immutable');
  });

  it('explain reads the served schemas', async () => {
    for (const v of versions) {
      const spec = await ok(v, ['explain', 'job.spec']);
      expect(spec).to.contain('KIND:').and.to.contain('Job');
      expect(spec).to.match(/backoffLimit\s+<integer>/);
      expect(spec).to.match(/completionMode\s+<string>/);
      const schedule = await ok(v, ['explain', 'cronjob.spec.schedule']);
      expect(schedule).to.contain('Cron');
      expect(await ok(v, ['explain', 'cj.spec.jobTemplate.spec.template.spec.restartPolicy'])).to.contain('restartPolicy');
    }
  });

  it('the status subresource and deletion', async () => {
    const v = 33;
    const p = `/apis/batch/v1/namespaces/${ns(v)}/jobs/hello/status`;
    const patched = await c.client.request('PATCH', p, { body: { status: { active: 1, startTime: '2026-01-01T00:00:00Z' } }, contentType: 'application/merge-patch+json' });
    expect(patched.status, patched.text).to.equal(200);
    expect((await ok(v, ['get', 'job', 'hello', '-n', ns(v), '-o', 'jsonpath={.status.active}']))).to.equal('1');
    expect(await ok(v, ['delete', 'job', 'hello', '-n', ns(v)])).to.equal('job.batch "hello" deleted\n');
    expect(await ok(v, ['delete', 'cronjob', 'tick', '-n', ns(v)])).to.equal('cronjob.batch "tick" deleted\n');
  });
});
