import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { canonicalJson, equalIgnoringHash, templateHash } from './hash.js';
import type { PodTemplateSpec } from './types.js';

const template = (image: string, extra: Record<string, unknown> = {}): PodTemplateSpec => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image }], ...extra } });

describe('deployment pod-template hash', () => {
  it('is a valid label value from the safe alphabet, at most 9 characters', () => {
    for (const img of ['a', 'b', 'web:1', 'web:2', 'x'.repeat(500)]) {
      const h = templateHash(template(img));
      expect(h).to.match(/^[bcdfghjklmnpqrstvwxz2456789]{1,9}$/);
    }
  });

  it('ignores key order, empty values and the hash label itself', () => {
    const a = templateHash({ spec: { containers: [{ image: 'web:1', name: 'app' }] }, metadata: { labels: { app: 'web' } } });
    const b = templateHash({ metadata: { labels: { app: 'web', 'pod-template-hash': 'zzz' }, annotations: {} }, spec: { containers: [{ name: 'app', image: 'web:1', env: [] }], volumes: null } });
    expect(a).to.equal(b);
    expect(canonicalJson({ b: 1, a: { d: [], c: null, e: 'x' } })).to.equal('{"a":{"e":"x"},"b":1}');
  });

  it('changes with the template and with collisionCount', () => {
    const h1 = templateHash(template('web:1'));
    expect(templateHash(template('web:2'))).to.not.equal(h1);
    expect(templateHash(template('web:1'), 1)).to.not.equal(h1);
    expect(templateHash(template('web:1'), 2)).to.not.equal(templateHash(template('web:1'), 1));
    expect(templateHash(template('web:1'), 0)).to.equal(h1);
  });

  it('keeps its value across releases (a golden value: changing the function renames every new ReplicaSet)', () => {
    expect(templateHash(template('web:1'))).to.equal('jm78w7sm');
    expect(templateHash(template('web:1'), 1)).to.equal('dmxfdccv7');
  });

  it('is the same in another process (stable across restarts)', () => {
    const t = template('web:1', { restartPolicy: 'Always', terminationGracePeriodSeconds: 30 });
    const module = fileURLToPath(new URL('./hash.ts', import.meta.url));
    const script = `import(${JSON.stringify(module)}).then((m) => process.stdout.write(m.templateHash(${JSON.stringify(t)}, 3)))`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.equal(templateHash(t, 3));
  });

  it('equalIgnoringHash compares templates apart from the hash label', () => {
    const withHash: PodTemplateSpec = { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } }, spec: { containers: [{ name: 'app', image: 'web:1' }] } };
    expect(equalIgnoringHash(withHash, template('web:1'))).to.equal(true);
    expect(equalIgnoringHash(withHash, template('web:2'))).to.equal(false);
  });
});
