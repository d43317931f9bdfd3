import { expect } from 'chai';
import { makeNode, makePod } from '../../common/testing/builders.js';
import { filterReasons, scoreOn } from '../testing/pluginHarness.js';
import { TaintToleration } from './taintToleration.js';

const clean = makeNode().name('clean').obj();
const gpu = makeNode().name('gpu').taint('dedicated', 'gpu', 'NoSchedule').obj();
const master = makeNode().name('master').taint('node-role.kubernetes.io/master', undefined, 'NoSchedule').obj();
const draining = makeNode().name('draining').taint('node.kubernetes.io/not-ready', undefined, 'NoExecute').obj();
const soft = makeNode().name('soft').taint('spot', 'true', 'PreferNoSchedule').obj();

describe('TaintToleration filter', () => {
  const cases = [
    {
      name: 'untolerated NoSchedule and NoExecute taints refuse, naming the taint; PreferNoSchedule does not',
      pod: makePod().obj(),
      want: {
        clean: '',
        gpu: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {dedicated: gpu}',
        master: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {node-role.kubernetes.io/master: }',
        draining: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {node.kubernetes.io/not-ready: }',
        soft: '',
      },
    },
    {
      name: 'Equal toleration with the value',
      pod: makePod().toleration({ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }).obj(),
      onlyFor: 'gpu',
      want: '',
    },
    { name: 'Equal toleration with another value', pod: makePod().toleration({ key: 'dedicated', value: 'cpu', effect: 'NoSchedule' }).obj(), onlyFor: 'gpu', want: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {dedicated: gpu}' },
    { name: 'Exists toleration ignores the value', pod: makePod().toleration({ key: 'dedicated', operator: 'Exists' }).obj(), onlyFor: 'gpu', want: '' },
    { name: 'effect must match', pod: makePod().toleration({ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }).obj(), onlyFor: 'gpu', want: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {dedicated: gpu}' },
    { name: 'empty key with Exists tolerates everything', pod: makePod().toleration({ operator: 'Exists' }).obj(), onlyFor: 'draining', want: '' },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const got = filterReasons(new TaintToleration(), tc.pod, [clean, gpu, master, draining, soft]);
      if ('onlyFor' in tc && tc.onlyFor) expect(got[tc.onlyFor]).to.equal(tc.want);
      else expect(got).to.deep.equal(tc.want);
    });
  }
});

describe('TaintToleration score', () => {
  const two = makeNode().name('two').taint('a', '1', 'PreferNoSchedule').taint('b', '1', 'PreferNoSchedule').obj();
  const cases = [
    { name: 'fewer untolerated PreferNoSchedule taints score higher', pod: makePod().obj(), want: { clean: 100, soft: 50, two: 0 } },
    { name: 'tolerated ones do not count', pod: makePod().toleration({ key: 'spot', operator: 'Exists', effect: 'PreferNoSchedule' }).obj(), want: { clean: 100, soft: 100, two: 0 } },
    { name: 'no taints anywhere: all equal', pod: makePod().obj(), nodes: [clean], want: { clean: 100 } },
  ];
  for (const tc of cases) it(tc.name, () => expect(scoreOn(new TaintToleration(), tc.pod, tc.nodes ?? [clean, soft, two])).to.deep.equal(tc.want));
});
