// The gantry/redis build context: ldd's output read right, and a rootfs that holds all a
// Debian redis needs — proven by running the packed binaries chrooted into it, where
// nothing of the machine's own /usr or /lib can be found.

import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { makeRedisContext, parseLdd, parseRedisVersion, redisImageTag } from './redisContext.js';

const run = promisify(execFile);
const imagesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../images');

describe('redisContext: parseLdd', () => {
  const cases: Array<{ name: string; output: string; want?: string[]; error?: RegExp }> = [
    {
      name: 'libraries by their resolved path, the loader, no vDSO',
      output: [
        '\tlinux-vdso.so.1 (0x00007ffd)',
        '\tlibssl.so.3 => /lib/x86_64-linux-gnu/libssl.so.3 (0x00007fc9)',
        '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007fc8)',
        '\t/lib64/ld-linux-x86-64.so.2 (0x00007fc9)',
        '',
      ].join('\n'),
      want: ['/lib/x86_64-linux-gnu/libssl.so.3', '/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2'],
    },
    { name: 'a static binary loads nothing', output: '\tstatically linked\n', want: [] },
    { name: 'a missing library is an error, not a smaller image', output: '\tlibfoo.so.1 => not found\n', error: /missing shared library: libfoo\.so\.1/ },
    { name: 'a line it cannot read is an error', output: '\tsomething else entirely\n', error: /cannot read ldd line/ },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      if (tc.error) expect(() => parseLdd(tc.output)).to.throw(tc.error);
      else expect(parseLdd(tc.output)).to.deep.equal(tc.want);
    });
  }
});

describe('redisContext: parseRedisVersion', () => {
  const cases: Array<{ name: string; output: string; want?: string }> = [
    { name: 'redis-server --version', output: 'Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=ae4d7c971a948f0\n', want: '7.0.15' },
    { name: 'redis-check-rdb --version', output: 'redis-check-rdb 7.0.15\n', want: '7.0.15' },
    { name: 'no version', output: 'usage: redis-server [options]\n' },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      if (tc.want) expect(parseRedisVersion(tc.output)).to.equal(tc.want);
      else expect(() => parseRedisVersion(tc.output)).to.throw(/cannot read a redis version/);
    });
  }
});

describe("redisContext: makeRedisContext with Debian's redis", function () {
  this.timeout(30_000);
  let dir: string;
  let ctx: string;
  let version: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-redisctx-'));
    ctx = path.join(dir, 'ctx');
    fs.mkdirSync(ctx);
    version = await makeRedisContext(imagesDir, ctx);
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`reports the version inside, of the tag's major (${redisImageTag})`, () => {
    expect(version).to.match(new RegExp(`^${redisImageTag}\\.\\d+\\.\\d+$`));
  });

  it('holds the Containerfile and the config of images/redis', () => {
    expect(fs.readFileSync(path.join(ctx, 'Containerfile'), 'utf8')).to.equal(fs.readFileSync(path.join(imagesDir, 'redis/Containerfile'), 'utf8'));
    const conf = fs.readFileSync(path.join(ctx, 'rootfs/etc/redis/redis.conf'), 'utf8');
    for (const line of ['protected-mode no', 'dir /data', 'save ""', 'appendonly no', 'logfile ""', 'daemonize no']) expect(conf).to.match(new RegExp(`^${line}$`, 'm'));
  });

  it('makes /data writable by any uid (mode 1777)', () => {
    expect(fs.statSync(path.join(ctx, 'rootfs/data')).mode & 0o7777).to.equal(0o1777);
  });

  it('runs the packed redis-server and redis-cli chrooted into the rootfs alone', async () => {
    const rootfs = path.join(ctx, 'rootfs');
    const server = await run('chroot', [rootfs, '/usr/bin/redis-server', '--version']);
    expect(server.stdout).to.match(new RegExp(`^Redis server v=${version.replace(/\./g, '\\.')} `));
    const cli = await run('chroot', [rootfs, '/usr/bin/redis-cli', '--version']);
    expect(cli.stdout).to.contain(`redis-cli ${version}`);
  });

  it('refuses a redis of another major version, naming it', async () => {
    const fake = path.join(dir, 'redis-server');
    fs.writeFileSync(fake, '#!/bin/sh\necho "Redis server v=6.2.14 sha=0"\n', { mode: 0o755 });
    const other = path.join(dir, 'other');
    fs.mkdirSync(other);
    let err: Error | undefined;
    try {
      await makeRedisContext(imagesDir, other, { server: fake, cli: '/usr/bin/redis-cli' });
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.match(/gantry\/redis:7 needs redis 7\.x .* is 6\.2\.14/);
    expect(fs.readdirSync(other)).to.deep.equal([]);
  });
});
