import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { agentExit, checkAgentRoot, type JoinState } from './agent.js';

describe('the joined agent: start checks and exit detection', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-join-agent-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const stateFor = (log: string, logOffset?: number): JoinState => ({
    version: 1,
    server: 'https://192.0.2.1:6443',
    node: { name: 'n', root: '/r', bridge: 'gantry0', podSubnet: '', cgroupRoot: 'gantry-n', port: 10250, address: '192.0.2.50' },
    kubeconfig: '/k',
    pid: 1,
    marker: log,
    log,
    ...(logOffset !== undefined ? { logOffset } : {}),
  });

  const earlier = 'old run\n2026-12-07T00:00:00.000Z supervisor: component exited with code 1; restarting in 500 ms\n';
  const cases: Array<{ name: string; log: string; offset?: number; want?: RegExp }> = [
    { name: 'still starting: nothing to report', log: earlier + '{"message":"agent listening"}\n', offset: earlier.length },
    { name: "an earlier run's exit before the offset is not this run's", log: earlier, offset: earlier.length },
    {
      name: "this run's exit, with the agent's last words",
      log: earlier + '{"level":"error","message":"agent failed","error":"listen EADDRINUSE: address already in use 192.0.2.50:10250"}\n2026-12-07T00:00:05.000Z supervisor: component exited with code 1; restarting in 500 ms\nnext attempt\n',
      offset: earlier.length,
      want: /EADDRINUSE[^]*component exited with code 1; restarting in 500 ms$/,
    },
    { name: 'no offset recorded: the whole log counts', log: earlier, want: /old run\n.*component exited with code 1/ },
  ];
  for (const [i, tc] of cases.entries()) {
    it(tc.name, () => {
      const log = path.join(dir, `agent-${i}.log`);
      fs.writeFileSync(log, tc.log);
      const got = agentExit(stateFor(log, tc.offset));
      if (tc.want) expect(got).to.match(tc.want);
      else expect(got).to.equal(undefined);
    });
  }

  it('a missing log is no exit', () => {
    expect(agentExit(stateFor(path.join(dir, 'missing.log'), 0))).to.equal(undefined);
  });

  const roots = [
    { name: 'the usual home', root: '/root/.gantry/nodes/machine-2/root', ok: true },
    { name: 'the longest root that fits (57 characters)', root: '/' + 'r'.repeat(56), ok: true },
    { name: 'one character more', root: '/' + 'r'.repeat(57), ok: false },
  ];
  for (const tc of roots) {
    it(`root length: ${tc.name}`, () => {
      if (tc.ok) expect(() => checkAgentRoot(tc.root)).to.not.throw();
      else expect(() => checkAgentRoot(tc.root)).to.throw(/too long for the container runtime's socket paths \(at most 57 characters\); choose a shorter --home or --node-name/);
    });
  }
});
