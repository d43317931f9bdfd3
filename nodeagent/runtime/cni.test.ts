// The CNI protocol as the runtime speaks it, against recording fake plugins: environment,
// config on stdin, prevResult chaining, DEL in reverse, errors, rollback of a failed ADD.

import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CniError, CniNetwork, extractIps } from './cni.js';

interface Call {
  plugin: string;
  env: Record<string, string>;
  conf: Record<string, unknown>;
}

describe('CniNetwork (fake plugins)', () => {
  let dir: string;
  let calls: string;
  const pod = { namespace: 'ns', name: 'web', uid: 'u1' };

  const plugin = (name: string, body: string): void => {
    const file = path.join(dir, name);
    fs.writeFileSync(
      file,
      `#!/bin/sh\nin=$(cat)\nprintf '{"plugin":"${name}","env":{"CNI_COMMAND":"%s","CNI_CONTAINERID":"%s","CNI_NETNS":"%s","CNI_IFNAME":"%s","CNI_PATH":"%s","CNI_ARGS":"%s"},"conf":%s}\\n' "$CNI_COMMAND" "$CNI_CONTAINERID" "$CNI_NETNS" "$CNI_IFNAME" "$CNI_PATH" "$CNI_ARGS" "$in" >> ${calls}\n${body}\n`,
    );
    fs.chmodSync(file, 0o755);
  };
  const recorded = (): Call[] =>
    fs
      .readFileSync(calls, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Call);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-cni-'));
    calls = path.join(dir, 'calls.jsonl');
    fs.writeFileSync(calls, '');
    plugin('loopback', `echo '{"cniVersion":"1.0.0","interfaces":[{"name":"lo"}]}'`);
    plugin('bridge', `[ "$CNI_COMMAND" = ADD ] && echo '{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/n"}],"ips":[{"interface":0,"address":"10.1.2.3/24","gateway":"10.1.2.1"}]}'; exit 0`);
    plugin('portmap', `[ "$CNI_COMMAND" = ADD ] && echo "$in" | sed -n 's/.*"prevResult":\\(.*\\)}$/\\1/p'; exit 0`);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const network = (): CniNetwork => new CniNetwork({ binDir: dir, networkName: 'gantry-t', bridge: 'gt0', subnet: '10.1.2.0/24', ipamDataDir: '/ipam', ipMasq: false });

  it('ADD: loopback on lo, then bridge and portmap on eth0 with the previous result and the port mappings', async () => {
    const att = await network().add('sb1', '/run/netns/sb1', pod, [{ protocol: 'TCP', containerPort: 80, hostPort: 8080 }]);
    expect(att.ip).to.equal('10.1.2.3');
    expect(att.plugins).to.deep.equal(['bridge', 'portmap']);
    const c = recorded();
    expect(c.map((x) => `${x.plugin}:${x.env.CNI_COMMAND}:${x.env.CNI_IFNAME}`)).to.deep.equal(['loopback:ADD:lo', 'bridge:ADD:eth0', 'portmap:ADD:eth0']);
    for (const x of c) {
      expect(x.env.CNI_CONTAINERID).to.equal('sb1');
      expect(x.env.CNI_NETNS).to.equal('/run/netns/sb1');
      expect(x.env.CNI_PATH).to.equal(dir);
      expect(x.env.CNI_ARGS).to.contain('K8S_POD_NAME=web').and.contain('K8S_POD_NAMESPACE=ns').and.contain('IgnoreUnknown=1');
      expect(x.conf.cniVersion).to.equal('1.0.0');
    }
    const bridge = c[1]!.conf as { name: string; bridge: string; ipam: { type: string; ranges: unknown; dataDir: string }; prevResult?: unknown };
    expect(bridge).to.include({ name: 'gantry-t', bridge: 'gt0' });
    expect(bridge.ipam).to.deep.include({ type: 'host-local', ranges: [[{ subnet: '10.1.2.0/24' }]], dataDir: '/ipam' });
    expect(bridge.prevResult).to.equal(undefined);
    const portmap = c[2]!.conf as { prevResult: unknown; runtimeConfig: unknown };
    expect(extractIps(portmap.prevResult)).to.deep.equal(['10.1.2.3']);
    expect(portmap.runtimeConfig).to.deep.equal({ portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] });
  });

  it('ADD without port mappings skips portmap; DEL runs the chain in reverse with the stored result', async () => {
    const net = network();
    const att = await net.add('sb2', '/n', pod, []);
    expect(att.plugins).to.deep.equal(['bridge']);
    await net.del('sb2', '/n', pod, { ...att, plugins: ['bridge', 'portmap'], portMappings: [{ protocol: 'UDP', containerPort: 53, hostPort: 5353 }] });
    const dels = recorded().filter((x) => x.env.CNI_COMMAND === 'DEL');
    expect(dels.map((x) => x.plugin)).to.deep.equal(['portmap', 'bridge']);
    expect(extractIps((dels[1]!.conf as { prevResult: unknown }).prevResult)).to.deep.equal(['10.1.2.3']);
  });

  it('DEL of an orphan asks portmap too, with a mapping so that it acts', async () => {
    await network().del('sb3', '', pod, undefined);
    const dels = recorded();
    expect(dels.map((x) => x.plugin)).to.deep.equal(['portmap', 'bridge']);
    expect(dels[0]!.env.CNI_NETNS).to.equal('');
    expect((dels[0]!.conf as { runtimeConfig: { portMappings: unknown[] } }).runtimeConfig.portMappings).to.have.length(1);
  });

  it('a failing plugin: its CNI error message, and the chain so far is undone', async () => {
    plugin('portmap', `if [ "$CNI_COMMAND" = ADD ]; then echo '{"code":7,"msg":"port taken","details":"8080"}'; exit 1; fi; exit 0`);
    try {
      await network().add('sb4', '/n', pod, [{ protocol: 'TCP', containerPort: 80, hostPort: 8080 }]);
      expect.fail('ADD should fail');
    } catch (e) {
      expect(e).to.be.instanceOf(CniError);
      expect((e as Error).message).to.equal('CNI portmap ADD: port taken: 8080');
    }
    expect(recorded().map((x) => `${x.plugin}:${x.env.CNI_COMMAND}`)).to.deep.equal(['loopback:ADD', 'bridge:ADD', 'portmap:ADD', 'portmap:DEL', 'bridge:DEL']);
  });
});
