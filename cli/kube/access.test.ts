import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kubeconfigFiles } from './access.js';
import { UsageError, errorText, unreachable } from './errors.js';

describe('kubeconfig files and unreachable servers', () => {
  let home: string;
  before(() => (home = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-access-'))));
  after(() => fs.rmSync(home, { recursive: true, force: true }));

  it('chooses --kubeconfig, else the KUBECONFIG list, else ~/.kube/config, else $GANTRY_HOME/kubeconfig', () => {
    const flag = path.join(home, 'flag');
    fs.writeFileSync(flag, '');
    expect(kubeconfigFiles(flag, { KUBECONFIG: '/a' })).to.deep.equal([flag]);
    expect(() => kubeconfigFiles(path.join(home, 'nope'), {})).to.throw(UsageError, /--kubeconfig .*nope: no such file/);
    expect(kubeconfigFiles(undefined, { KUBECONFIG: '/a::/b', HOME: home })).to.deep.equal(['/a', '/b']);
    expect(kubeconfigFiles(undefined, { HOME: home })).to.deep.equal([path.join(home, '.gantry', 'kubeconfig')]);
    expect(kubeconfigFiles(undefined, { HOME: home, GANTRY_HOME: '/g' })).to.deep.equal(['/g/kubeconfig']);
    fs.mkdirSync(path.join(home, '.kube'));
    fs.writeFileSync(path.join(home, '.kube', 'config'), '');
    expect(kubeconfigFiles(undefined, { HOME: home, GANTRY_HOME: '/g' })).to.deep.equal([path.join(home, '.kube', 'config')]);
  });

  const target = { server: 'https://10.0.0.1:6443', files: ['/k'] };
  const errno = (code: string, message = code): Error => Object.assign(new Error(message), { code });
  const cases: { name: string; e: Error; want?: RegExp }[] = [
    { name: 'refused', e: errno('ECONNREFUSED'), want: /^cannot reach the API server at https:\/\/10\.0\.0\.1:6443 \(from \/k\): ECONNREFUSED\nIs the cluster running\? .*gantry up/ },
    { name: 'unknown host', e: errno('ENOTFOUND'), want: /cannot reach .*ENOTFOUND/ },
    { name: 'timeout', e: new Error('GET /api timed out'), want: /cannot reach .*GET \/api timed out/ },
    { name: 'a certificate from another CA', e: errno('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'), want: /^cannot verify the API server at .*certificate-authority/s },
    { name: 'anything else is not about reaching the server', e: new Error('boom') },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const u = unreachable(tc.e, target);
      if (!tc.want) {
        expect(u).to.equal(undefined);
        expect(errorText(tc.e, target)).to.deep.equal({ text: 'error: boom', code: 1 });
      } else {
        expect(u?.message).to.match(tc.want);
        expect(errorText(tc.e, target).code).to.equal(1);
      }
    });
  }
});
