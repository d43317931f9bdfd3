import { expect } from 'chai';
import type { Pod } from '../agent/podTypes.js';
import { runtimeLabels } from '../agent/runtimePods.js';
import { specHashAnnotation } from '../agent/translator.js';
import { HollowTranslator } from './hollowTranslator.js';

const translator = new HollowTranslator({ logsRoot: '/tmp/hollow-logs', nodeName: 'hollow-7', nodeMemoryBytes: 16n * 1024n ** 3n });

function pod(spec: Partial<Pod['spec']> = {}): Pod {
  return {
    metadata: { name: 'web', namespace: 'shop', uid: 'u-1' },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'busybox',
          command: ['sh', '-c', 'echo $(GREETING)'],
          env: [{ name: 'GREETING', value: 'hi' }, { name: 'FROM_REF', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
        },
      ],
      ...spec,
    },
  };
}

describe('HollowTranslator', () => {
  it('labels the sandbox with the pod identity and keeps its logs under the pod uid', () => {
    const s = translator.sandboxConfig(pod(), 2);
    expect(s.metadata).to.deep.equal({ name: 'web', namespace: 'shop', uid: 'u-1', attempt: 2 });
    expect(s.labels).to.include({ [runtimeLabels.podUid]: 'u-1', [runtimeLabels.podName]: 'web', [runtimeLabels.podNamespace]: 'shop' });
    expect(s.logDirectory).to.equal('/tmp/hollow-logs/u-1');
    expect(s.hostname).to.equal('web');
  });

  it("gives a hostNetwork pod the node's network and the hollow node's name", () => {
    const s = translator.sandboxConfig(pod({ hostNetwork: true }), 0);
    expect(s.linux?.securityContext?.namespaceOptions?.network).to.equal('NODE');
    expect(s.hostname).to.equal('hollow-7');
  });

  it('makes a container config with identity labels, the spec hash, literal env and expanded command', async () => {
    const p = pod();
    const c = await translator.containerConfig(p, p.spec.containers[0]!, { attempt: 1, imageRef: 'sha256:abc', podIP: '10.64.0.2' });
    expect(c.labels).to.include({ [runtimeLabels.podUid]: 'u-1', [runtimeLabels.containerName]: 'app' });
    expect(c.annotations?.[specHashAnnotation]).to.equal(translator.specHash(p.spec.containers[0]!));
    expect(c.envs).to.deep.equal([{ key: 'GREETING', value: 'hi' }]);
    expect(c.command).to.deep.equal(['sh', '-c', 'echo hi']);
    expect(c.image).to.deep.equal({ image: 'sha256:abc' });
    expect(c.logPath).to.equal('app/1.log');
    expect(c.mounts).to.deep.equal([]);
  });

  const qos: { name: string; resources: Record<string, unknown> | undefined; want: string }[] = [
    { name: 'requests equal limits', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }, want: 'Guaranteed' },
    { name: 'requests only', resources: { requests: { cpu: '1' } }, want: 'Burstable' },
    { name: 'nothing', resources: undefined, want: 'BestEffort' },
  ];
  for (const tc of qos) {
    it(`computes the QoS class: ${tc.name}`, () => {
      const p = pod();
      p.spec.containers[0] = { name: 'app', image: 'busybox', ...(tc.resources ? { resources: tc.resources } : {}) };
      expect(translator.qosClass(p)).to.equal(tc.want);
    });
  }

  it('hashes equal specs alike whatever the key order, and different specs differently', () => {
    const a = translator.specHash({ name: 'app', image: 'busybox', command: ['sleep', '1'] });
    const b = translator.specHash({ command: ['sleep', '1'], image: 'busybox', name: 'app' });
    const c = translator.specHash({ name: 'app', image: 'busybox', command: ['sleep', '2'] });
    expect(a).to.equal(b);
    expect(a).to.not.equal(c);
  });
});
