import { expect } from 'chai';
import { parsePodTopologySpreadArgs, systemDefaultConstraints } from './podTopologySpreadArgs.js';

describe('PodTopologySpread args', () => {
  const ok = [
    { name: 'none: the System defaults', args: undefined, want: { systemDefaulted: true, defaults: systemDefaultConstraints } },
    { name: 'System spelled out', args: { defaultingType: 'System' }, want: { systemDefaulted: true, defaults: systemDefaultConstraints } },
    { name: 'List without constraints: no defaults', args: { defaultingType: 'List' }, want: { systemDefaulted: false, defaults: [] } },
    {
      name: 'List with constraints',
      args: { defaultingType: 'List', defaultConstraints: [{ maxSkew: 1, topologyKey: 'rack', whenUnsatisfiable: 'DoNotSchedule' }] },
      want: { systemDefaulted: false, defaults: [{ maxSkew: 1, topologyKey: 'rack', whenUnsatisfiable: 'DoNotSchedule' }] },
    },
  ];
  for (const tc of ok) it(tc.name, () => expect(parsePodTopologySpreadArgs('PodTopologySpread', tc.args)).to.deep.equal(tc.want));

  const c = { maxSkew: 1, topologyKey: 'rack', whenUnsatisfiable: 'ScheduleAnyway' };
  const bad = [
    { name: 'constraints with System', args: { defaultConstraints: [c] }, error: /defaultConstraints must be empty when defaultingType is System/ },
    { name: 'an unknown defaultingType', args: { defaultingType: 'Mine' }, error: /\/defaultingType must be equal to one of the allowed values/ },
    { name: 'maxSkew 0', args: { defaultingType: 'List', defaultConstraints: [{ ...c, maxSkew: 0 }] }, error: /\/defaultConstraints\/0\/maxSkew must be >= 1/ },
    { name: 'a bad whenUnsatisfiable', args: { defaultingType: 'List', defaultConstraints: [{ ...c, whenUnsatisfiable: 'Never' }] }, error: /whenUnsatisfiable must be equal to one of the allowed values/ },
    { name: 'a selector (worked out per pod)', args: { defaultingType: 'List', defaultConstraints: [{ ...c, labelSelector: { matchLabels: { a: 'b' } } }] }, error: /must NOT have additional properties/ },
    { name: 'a repeated key and action', args: { defaultingType: 'List', defaultConstraints: [c, { ...c, maxSkew: 2 }] }, error: /\/defaultConstraints\/1 repeats topologyKey rack/ },
    { name: 'an unknown field', args: { defaultConstraint: [] }, error: /invalid args for plugin PodTopologySpread: args must NOT have additional properties/ },
  ];
  for (const tc of bad) it(`refuses ${tc.name}`, () => expect(() => parsePodTopologySpreadArgs('PodTopologySpread', tc.args)).to.throw(tc.error));
});
