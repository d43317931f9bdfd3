import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../common/config.js';
import { buildFramework, ProfileError, resolveProfile } from './profile.js';
import { loadSchedulerConfig } from './schedulerConfig.js';

function withFile(text: string, fn: (file: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sched-cfg-'));
  const file = path.join(dir, 'scheduler.yaml');
  fs.writeFileSync(file, text);
  try {
    fn(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('scheduler config', () => {
  it('has defaults for everything but the kubeconfig', () => {
    const cfg = loadSchedulerConfig(['--kubeconfig', '/k']);
    expect(cfg).to.deep.include({ kubeconfig: '/k', schedulerName: 'default-scheduler', leaderElect: true, metricsPort: 10259, percentageOfNodesToScore: 0, podInitialBackoffSeconds: 1, podMaxBackoffSeconds: 10 });
  });
  const errors = [
    { name: 'kubeconfig is required', argv: [], error: /must have required property 'kubeconfig'/ },
    { name: 'typed flags', argv: ['--kubeconfig', 'k', '--metrics-port', 'x'], error: /metricsPort must be integer/ },
    { name: 'ranges', argv: ['--kubeconfig', 'k', '--percentage-of-nodes-to-score', '101'], error: /percentageOfNodesToScore must be <= 100/ },
    { name: 'unknown flags', argv: ['--kubeconfig', 'k', '--bogus', '1'], error: /unknown setting "bogus"/ },
  ];
  for (const tc of errors) it(tc.name, () => expect(() => loadSchedulerConfig(tc.argv)).to.throw(ConfigError, tc.error));

  it('reads plugins (enable, disable, weights) and their args from the config file', () => {
    withFile(
      [
        'kubeconfig: /k',
        'plugins:',
        '  filter:',
        '    disabled: [{ name: NodePorts }]',
        '  score:',
        '    disabled: [{ name: MostAllocated }]',
        '    enabled: [{ name: LeastAllocated, weight: 2 }, { name: TaintToleration, weight: 5 }]',
        'pluginConfig:',
        '  - name: LeastAllocated',
        '    args: { resources: [{ name: cpu, weight: 1 }] }',
      ].join('\n'),
      (file) => {
        const cfg = loadSchedulerConfig(['--config', file]);
        const profile = resolveProfile(cfg.plugins);
        expect(profile.filters).to.not.include('NodePorts');
        expect(profile.scores).to.deep.include({ name: 'LeastAllocated', weight: 2 });
        expect(profile.scores).to.deep.include({ name: 'TaintToleration', weight: 5 });
        expect(profile.scores.map((s) => s.name)).to.not.include('MostAllocated');
        const fwk = buildFramework('s', profile, cfg.pluginConfig);
        expect(fwk.scorePlugins().map((s) => s.name)).to.include('LeastAllocated');
      },
    );
  });

  it('refuses malformed plugin sections', () => {
    withFile('kubeconfig: /k\nplugins:\n  score:\n    enabled: [{ name: X, weight: 500 }]\n', (file) => {
      expect(() => loadSchedulerConfig(['--config', file])).to.throw(ConfigError, /weight must be <= 100/);
    });
    withFile('kubeconfig: /k\nplugins:\n  reserve: {}\n', (file) => {
      expect(() => loadSchedulerConfig(['--config', file])).to.throw(ConfigError, /unknown setting "reserve"/);
    });
  });
});

describe('the example config file', () => {
  it('loads, validates and builds', () => {
    const file = path.join(path.dirname(new URL(import.meta.url).pathname), 'example.yaml');
    const cfg = loadSchedulerConfig(['--config', file]);
    expect(cfg.schedulerName).to.equal('default-scheduler');
    const fwk = buildFramework(cfg.schedulerName, resolveProfile(cfg.plugins), cfg.pluginConfig);
    expect(fwk.scorePlugins().map((s) => s.name)).to.include('LeastAllocated').and.not.include('MostAllocated');
  });
});

describe('profiles', () => {
  it('the default profile packs and filters with every in-tree filter', () => {
    const fwk = buildFramework('s', resolveProfile());
    expect(fwk.filterPluginNames()).to.deep.equal(['NodeUnschedulable', 'NodeName', 'TaintToleration', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit', 'VolumeBinding', 'PodTopologySpread', 'InterPodAffinity']);
    expect(fwk.scorePlugins()[0]).to.deep.equal({ name: 'MostAllocated', weight: 1 });
    // Replicas of a workload spread over hosts (Kubernetes' default weight).
    expect(fwk.scorePlugins()).to.deep.include({ name: 'PodTopologySpread', weight: 2 });
  });
  it("disabled: ['*'] starts from nothing", () => {
    expect(resolveProfile({ filter: { disabled: [{ name: '*' }], enabled: [{ name: 'NodeResourcesFit' }] } }).filters).to.deep.equal(['NodeResourcesFit']);
  });
  const bad = [
    { name: 'unknown plugin', profile: { filters: ['Nope'], scores: [] }, error: /unknown plugin "Nope"/ },
    { name: 'a score-only plugin as a filter', profile: { filters: ['MostAllocated'], scores: [] }, error: /cannot be enabled as a filter/ },
    { name: 'a filter-only plugin as a score', profile: { filters: [], scores: [{ name: 'NodePorts', weight: 1 }] }, error: /cannot be enabled as a score/ },
  ];
  for (const tc of bad) it(tc.name, () => expect(() => buildFramework('s', tc.profile)).to.throw(ProfileError, tc.error));
  it('args for a plugin that is not enabled, or invalid args', () => {
    expect(() => buildFramework('s', resolveProfile(), [{ name: 'LeastAllocated', args: {} }])).to.throw(ProfileError, /not enabled/);
    expect(() => buildFramework('s', resolveProfile(), [{ name: 'NodePorts', args: { x: 1 } }])).to.throw(ProfileError, /takes no args/);
    expect(() => buildFramework('s', resolveProfile(), [{ name: 'PodTopologySpread', args: { defaultConstraints: [{ maxSkew: 1, topologyKey: 'rack', whenUnsatisfiable: 'DoNotSchedule' }] } }])).to.throw(
      ProfileError,
      /PodTopologySpread: \/defaultConstraints must be empty when defaultingType is System/,
    );
  });
  it('VolumeBinding takes bindTimeoutSeconds from pluginConfig, and refuses other args', () => {
    expect(() => buildFramework('s', resolveProfile(), [{ name: 'VolumeBinding', args: { bindTimeoutSeconds: 30 } }])).not.to.throw();
    expect(() => buildFramework('s', resolveProfile(), [{ name: 'VolumeBinding', args: { bindTimeoutSeconds: 0 } }])).to.throw(ProfileError, /VolumeBinding: \/bindTimeoutSeconds must be > 0/);
    expect(() => buildFramework('s', resolveProfile(), [{ name: 'VolumeBinding', args: { timeout: 3 } }])).to.throw(ProfileError, /must NOT have additional properties/);
  });
  it('PodTopologySpread takes its defaulting args from pluginConfig', () => {
    const args = { defaultingType: 'List', defaultConstraints: [{ maxSkew: 1, topologyKey: 'rack', whenUnsatisfiable: 'ScheduleAnyway' }] };
    expect(buildFramework('s', resolveProfile(), [{ name: 'PodTopologySpread', args }]).scorePlugins().map((p) => p.name)).to.include('PodTopologySpread');
  });
});
