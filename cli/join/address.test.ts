import { expect } from 'chai';
import { addressToward, sourceFromRoute } from './address.js';
import type { HostCommands } from '../../common/proc/hostCommands.js';

describe('the address a joining node advertises by default', () => {
  const cases: Array<{ name: string; routes: Parameters<typeof sourceFromRoute>[0]; want?: string; error?: RegExp }> = [
    { name: 'via a gateway', routes: [{ dst: '192.0.2.10', dev: 'eth0', prefsrc: '172.31.240.50' }], want: '172.31.240.50' },
    { name: 'on the same link', routes: [{ dst: '172.31.240.1', dev: 'eth0', prefsrc: '172.31.240.50' }], want: '172.31.240.50' },
    { name: 'the server on loopback', routes: [{ dst: '127.0.0.1', dev: 'lo', prefsrc: '127.0.0.1' }], error: /loopback, which other nodes cannot reach; pass --address/ },
    { name: "the server at this machine's own address (dev lo)", routes: [{ dst: '10.0.0.5', dev: 'lo', prefsrc: '10.0.0.5' }], want: '10.0.0.5' },
    { name: 'no route', routes: [], error: /no route to the API server at 192\.0\.2\.10; pass --address/ },
    { name: 'a route without a source (unreachable)', routes: [{ dst: '192.0.2.10' }], error: /no route/ },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      if (tc.error) expect(() => sourceFromRoute(tc.routes, '192.0.2.10')).to.throw(tc.error);
      else expect(sourceFromRoute(tc.routes, '192.0.2.10')).to.equal(tc.want);
    });
  }

  it('asks the kernel for the route to the host of the server URL', async () => {
    const asked: string[][] = [];
    const commands: HostCommands = {
      run: () => Promise.reject(new Error('unused')),
      checked: (cmd, args) => {
        asked.push([cmd, ...args]);
        return Promise.resolve({ code: 0, stdout: JSON.stringify([{ dst: '192.0.2.10', dev: 'eth0', prefsrc: '198.51.100.7' }]), stderr: '', signal: null, timedOut: false });
      },
    };
    expect(await addressToward('https://192.0.2.10:6443', commands)).to.equal('198.51.100.7');
    expect(asked).to.deep.equal([['ip', '-j', 'route', 'get', '192.0.2.10']]);
  });

  it('finds the real source address toward this machine (loopback: refused)', async () => {
    await addressToward('https://127.0.0.1:6443').then(
      () => expect.fail('a loopback server gives no usable address'),
      (e: Error) => expect(e.message).to.contain('loopback'),
    );
  });
});
