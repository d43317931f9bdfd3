// The binding-cycle extension points: Reserve in order, stopping at the first failure;
// Unreserve of every Reserve plugin in reverse order, even after one throws; PreBind in
// order, stopping at the first failure, Skip counting as success.

import { expect } from 'chai';
import { makePod } from '../../common/testing/builders.js';
import { CycleState } from './cycleState.js';
import { Framework } from './framework.js';
import type { FilterPlugin, PreBindPlugin, ReservePlugin } from './interfaces.js';
import { makePodInfo } from './podInfo.js';
import { Status } from './status.js';

interface Behaviour {
  reserve?: Status;
  unreserveThrows?: boolean;
  preBind?: Status;
  preBindThrows?: boolean;
}

function recording(name: string, log: string[], b: Behaviour = {}): FilterPlugin & ReservePlugin & PreBindPlugin {
  return {
    name,
    filter: () => Status.success,
    reserve: (_s, _p, node) => {
      log.push(`reserve ${name} ${node}`);
      return b.reserve ?? Status.success;
    },
    unreserve: async (_s, _p, node) => {
      log.push(`unreserve ${name} ${node}`);
      if (b.unreserveThrows) throw new Error(`${name} could not undo`);
    },
    preBind: async (_s, _p, node) => {
      log.push(`preBind ${name} ${node}`);
      if (b.preBindThrows) throw new Error('API down');
      return b.preBind ?? Status.success;
    },
  };
}

const pod = makePodInfo(makePod().name('p').obj());
const signal = new AbortController().signal;

describe('Framework binding-cycle extension points', () => {
  it('a filter-only profile has no binding plugins', () => {
    const fwk = new Framework('s', { filters: [{ name: 'F', filter: () => Status.success }], scores: [] });
    expect(fwk.hasBindingPlugins()).to.equal(false);
  });

  const reserveCases = [
    { name: 'all succeed: every reserve in order', behaviours: [{}, {}, {}], want: Status.success.code, log: ['reserve A n', 'reserve B n', 'reserve C n'] },
    { name: 'the second refuses: the third is not called, the status names the plugin', behaviours: [{}, { reserve: Status.unschedulable('no room') }, {}], want: 'Unschedulable', plugin: 'B', log: ['reserve A n', 'reserve B n'] },
  ];
  for (const tc of reserveCases) {
    it(`Reserve: ${tc.name}`, () => {
      const log: string[] = [];
      const fwk = new Framework('s', { filters: tc.behaviours.map((b, i) => recording('ABC'[i]!, log, b)), scores: [] });
      const st = fwk.runReserve(new CycleState(), pod, 'n');
      expect(st.code).to.equal(tc.want);
      if (tc.plugin) expect(st.plugin).to.equal(tc.plugin);
      expect(log).to.deep.equal(tc.log);
    });
  }

  it('Unreserve: every Reserve plugin, in reverse order, even after one throws; the errors are returned', async () => {
    const log: string[] = [];
    const fwk = new Framework('s', { filters: [recording('A', log), recording('B', log, { unreserveThrows: true }), recording('C', log)], scores: [] });
    const errors = await fwk.runUnreserve(new CycleState(), pod, 'n');
    expect(log).to.deep.equal(['unreserve C n', 'unreserve B n', 'unreserve A n']);
    expect(errors.map((e) => `${e.plugin}: ${e.error.message}`)).to.deep.equal(['B: B could not undo']);
  });

  const preBindCases = [
    { name: 'all succeed (Skip counts as success)', behaviours: [{}, { preBind: Status.skip }, {}], want: 'Success', log: ['preBind A n', 'preBind B n', 'preBind C n'] },
    { name: 'the first fails: nothing after it runs', behaviours: [{ preBind: Status.error('timed out') }, {}, {}], want: 'Error', plugin: 'A', message: 'timed out', log: ['preBind A n'] },
    { name: 'a thrown error is an Error status', behaviours: [{}, { preBindThrows: true }, {}], want: 'Error', plugin: 'B', message: 'API down', log: ['preBind A n', 'preBind B n'] },
  ];
  for (const tc of preBindCases) {
    it(`PreBind: ${tc.name}`, async () => {
      const log: string[] = [];
      const fwk = new Framework('s', { filters: tc.behaviours.map((b, i) => recording('ABC'[i]!, log, b)), scores: [] });
      const st = await fwk.runPreBind(new CycleState(), pod, 'n', signal);
      expect(st.code).to.equal(tc.want);
      if (tc.plugin) expect(st.plugin).to.equal(tc.plugin);
      if (tc.message) expect(st.message()).to.equal(tc.message);
      expect(log).to.deep.equal(tc.log);
    });
  }

  it('a plugin enabled both as a filter and as a score reserves once', () => {
    const log: string[] = [];
    const p = { ...recording('A', log), score: () => 0 };
    const fwk = new Framework('s', { filters: [p], scores: [{ plugin: p, weight: 1 }] });
    fwk.runReserve(new CycleState(), pod, 'n');
    expect(log).to.deep.equal(['reserve A n']);
  });
});
