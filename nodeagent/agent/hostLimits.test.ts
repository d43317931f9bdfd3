import { expect } from 'chai';
import { silentLogger } from '../../common/logging.js';
import type { NodeEventSink } from './events.js';
import { oomScoreAdjLimitedReason, reportHostLimits } from './hostLimits.js';

describe('host limits reported at start', () => {
  const cases = [
    { name: 'a host with CAP_SYS_RESOURCE: nothing to say', floor: -1000, events: 0 },
    { name: 'a floor at the Guaranteed value restricts nothing Kubernetes asks for', floor: -997, events: 0 },
    { name: 'a floor of 0 (no CAP_SYS_RESOURCE): one warning', floor: 0, events: 1 },
    { name: 'no probe result: nothing', floor: undefined, events: 0 },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const recorded: { type: string; reason: string; message: string }[] = [];
      const sink: NodeEventSink = { record: (type, reason, message) => void recorded.push({ type, reason, message }) };
      const notices = reportHostLimits(tc.floor === undefined ? {} : { oomScoreAdjFloor: tc.floor }, sink, silentLogger());
      expect(recorded).to.have.length(tc.events);
      expect(notices).to.have.length(tc.events);
      for (const e of recorded) {
        expect(e.type).to.equal('Warning');
        expect(e.reason).to.equal(oomScoreAdjLimitedReason);
        expect(e.message).to.contain(`below ${tc.floor}`).and.contain('-997');
      }
    });
  }
});
