import { expect } from 'chai';
import { makeJob } from './fixtures.js';
import { podForJob } from './podForJob.js';

describe('podForJob', () => {
  it('NonIndexed: template labels, owner, the tracking finalizer, generateName', () => {
    const job = makeJob({ template: { metadata: { labels: { 'job-name': 'pi' }, finalizers: ['example.com/x'] }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } });
    const pod = podForJob(job);
    expect(pod.metadata.generateName).to.equal('pi-');
    expect(pod.metadata.labels).to.deep.equal({ 'job-name': 'pi' });
    expect(pod.metadata.finalizers).to.deep.equal(['example.com/x', 'batch.kubernetes.io/job-tracking']);
    expect(pod.metadata.ownerReferences).to.deep.equal([{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'job-uid', controller: true, blockOwnerDeletion: true }]);
    expect(pod.metadata.annotations).to.equal(undefined);
    expect(pod.spec?.hostname).to.equal(undefined);
  });

  it('Indexed: index annotation and label, JOB_COMPLETION_INDEX from the annotation, hostname NAME-INDEX', () => {
    const job = makeJob({ completionMode: 'Indexed', completions: 5, template: { spec: { restartPolicy: 'Never', initContainers: [{ name: 'i', image: 'busybox' }], containers: [{ name: 'c', image: 'busybox', env: [{ name: 'A', value: 'b' }] }] } } });
    const pod = podForJob(job, 3);
    expect(pod.metadata.generateName).to.equal('pi-3-');
    expect(pod.metadata.annotations).to.deep.equal({ 'batch.kubernetes.io/job-completion-index': '3' });
    expect(pod.metadata.labels).to.deep.equal({ 'batch.kubernetes.io/job-completion-index': '3' });
    expect(pod.spec?.hostname).to.equal('pi-3');
    const env = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } };
    const spec = pod.spec as { containers: { env: unknown[] }[]; initContainers: { env: unknown[] }[] };
    expect(spec.containers[0]!.env).to.deep.equal([{ name: 'A', value: 'b' }, env]);
    expect(spec.initContainers[0]!.env).to.deep.equal([env]);
    expect((job.spec!.template!.spec as { containers: { env: unknown[] }[] }).containers[0]!.env, 'the template is not changed').to.have.length(1);
  });

  it('Indexed: a hostname set in the template is kept; long names are cut to fit', () => {
    const job = makeJob({ completionMode: 'Indexed', completions: 200, template: { spec: { hostname: 'worker', restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } });
    job.metadata.name = 'x'.repeat(60);
    const pod = podForJob(job, 123);
    expect(pod.spec?.hostname).to.equal('worker');
    expect(pod.metadata.generateName).to.equal(`${'x'.repeat(53)}-123-`);
    expect(pod.metadata.generateName!.length).to.equal(58);
  });
});
