import { expect } from 'chai';
import os from 'node:os';
import path from 'node:path';
import type { ImageLayers } from '../cri/layers.js';
import { RuntimeConfigError, resolveOptions, type RuncRuntimeOptions } from './config.js';
import { RuncRuntime } from './runtime.js';

const layers: ImageLayers = { resolve: () => Promise.reject(new Error('unused')) };
const base: RuncRuntimeOptions = { root: path.join(os.tmpdir(), 'gantry-config-test-never-created'), imageLayers: layers };

describe('runtime options', () => {
  it('fills in the node defaults', () => {
    const o = resolveOptions(base);
    expect(o.network).to.deep.equal({ bridge: 'gantry0', subnet: '10.88.0.0/16', name: 'gantry-gantry0', ipMasq: true });
    expect(o.cgroupRoot).to.equal('/gantry');
    expect(o.runcPath).to.equal('/usr/sbin/runc');
    expect(o.conmonPath).to.equal('/usr/bin/conmon');
    expect(o.cniBinDir).to.equal('/usr/lib/cni');
  });

  const bad: { name: string; opts: Partial<RuncRuntimeOptions>; message: RegExp }[] = [
    { name: 'a relative root', opts: { root: 'state' }, message: /absolute/ },
    { name: 'a long bridge name', opts: { network: { bridge: 'a-very-long-bridge-name' } }, message: /bridge name/ },
    { name: 'a bad subnet', opts: { network: { subnet: '10.1.0.0' } }, message: /CIDR/ },
    { name: 'a relative cgroup root', opts: { cgroupRoot: 'gantry' }, message: /cgroupRoot/ },
    { name: 'a missing conmon', opts: { conmonPath: '/nonexistent/conmon' }, message: /conmon/ },
    { name: 'a missing CNI directory', opts: { cniBinDir: '/nonexistent/cni' }, message: /CNI plugin/ },
    { name: 'a root too long for conmon sockets', opts: { root: '/' + 'x'.repeat(90) }, message: /too long/ },
  ];
  for (const tc of bad) {
    it(`refuses ${tc.name}`, () => {
      expect(() => resolveOptions({ ...base, ...tc.opts })).to.throw(RuntimeConfigError, tc.message);
    });
  }

  it('refuses to open with a pod subnet that clashes with a host network', async () => {
    try {
      await RuncRuntime.open({ ...base, network: { subnet: '127.0.0.0/16' } });
      expect.fail('open should fail');
    } catch (e) {
      expect(e).to.be.instanceOf(RuntimeConfigError);
      expect((e as Error).message).to.match(/overlaps 127\.0\.0\.1\/8 on lo/);
    }
  });
});
