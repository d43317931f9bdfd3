import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { LocalRegistry } from '../../common/images/registryProcess.js';
import { makeTempDir } from '../../common/proc/etcdProcess.js';
import { mountsUnder } from '../../common/proc/leftovers.js';
import { freePort } from '../../common/proc/ports.js';
import { parseYaml } from '../../common/yaml.js';
import { choosePort } from './ports.js';
import { ensureClusterImages, registriesConfigYaml, startClusterRegistry } from './registry.js';

function tags(url: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(res.statusCode === 200 ? (JSON.parse(body) as { tags: string[] }).tags : []));
      })
      .on('error', reject);
  });
}

describe("the cluster's registry (gantry up)", function () {
  this.timeout(120_000);
  let tmp: { dir: string; remove: () => void };
  let home: string;
  let reg: LocalRegistry | undefined;

  before(() => {
    tmp = makeTempDir('gantry-cluster-registry');
    home = path.join(tmp.dir, 'home');
  });

  after(async () => {
    await reg?.stop();
    tmp?.remove();
  });

  it('runs detached, in its own process group, with storage and config in $GANTRY_HOME/registry', async () => {
    const logFile = path.join(tmp.dir, 'registry.log');
    reg = await startClusterRegistry(home, '127.0.0.1', await freePort(), logFile);
    const stat = fs.readFileSync(`/proc/${reg.pid}/stat`, 'utf8');
    const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    expect(pgrp).to.equal(reg.pid);
    expect(reg.storageDir).to.equal(path.join(home, 'registry', 'storage'));
    expect(reg.marker).to.equal(path.join(home, 'registry', 'config.yml'));
    expect(fs.readFileSync(`/proc/${reg.pid}/cmdline`, 'utf8')).to.contain(reg.marker);
    expect(fs.existsSync(logFile)).to.equal(true);
  });

  it('builds and pushes the images once; a registry that has them is left alone', async () => {
    const lines: string[] = [];
    expect(await ensureClusterImages(reg!, home, (l) => lines.push(l))).to.equal('built');
    expect(lines.join('\n')).to.contain('buildah');
    expect(fs.existsSync(path.join(home, 'buildah')), "buildah's storage is removed").to.equal(false);
    expect(mountsUnder(tmp.dir)).to.deep.equal([]);
    for (const [repo, want] of [['busybox', ['latest']], ['library/busybox', ['latest']], ['gantry/web', ['v1', 'v2']]] as const) {
      expect(await tags(`${reg!.url}/v2/${repo}/tags/list`), repo).to.include.members([...want]);
    }
    expect(await ensureClusterImages(reg!, home, (l) => lines.push(l))).to.equal('present');
  });

  it('the registries file mirrors docker.io to it, with no fallback to Docker Hub', () => {
    expect(parseYaml(registriesConfigYaml(reg!.url))).to.deep.equal({ mirrors: { 'docker.io': { endpoint: [reg!.url] } }, disableDefaultEndpoint: true });
  });

  it('choosePort keeps a configured port, takes the preferred one when free, another when it is taken', async () => {
    expect(await choosePort(1234, reg!.port)).to.equal(1234);
    const other = await choosePort(undefined, reg!.port);
    expect(other).to.not.equal(reg!.port);
    const free = await freePort();
    expect(await choosePort(undefined, free)).to.equal(free);
  });
});
