import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeconfigError, loadKubeconfig, readKubeconfig, renderKubeconfig } from './kubeconfig.js';
import { toYaml } from './yaml.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** A kubeconfig with the given clusters, users and contexts (names only matter). */
function config(o: { clusters?: [string, string][]; users?: [string, Record<string, string>][]; contexts?: [string, string, string, string?][]; current?: string }): string {
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: (o.clusters ?? []).map(([name, server]) => ({ name, cluster: { server, 'certificate-authority-data': b64(`CA of ${name}`) } })),
    users: (o.users ?? []).map(([name, user]) => ({ name, user })),
    contexts: (o.contexts ?? []).map(([name, cluster, user, namespace]) => ({ name, context: { cluster, user, ...(namespace ? { namespace } : {}) } })),
    ...(o.current ? { 'current-context': o.current } : {}),
  });
}

describe('kubeconfig', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-kubeconfig-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };

  it('reads back what renderKubeconfig wrote', () => {
    const f = write('k', renderKubeconfig({ server: 'https://127.0.0.1:6443', caPem: 'CA', token: 't' }));
    expect(readKubeconfig(f)).to.deep.equal({ server: 'https://127.0.0.1:6443', caPem: 'CA', token: 't', name: 'gantry' });
    const sel = loadKubeconfig([f]);
    expect([sel.context, sel.namespace, sel.files]).to.deep.equal(['gantry', 'default', [f]]);
  });

  const cases: { name: string; files: Record<string, string>; order: string[]; context?: string; want?: { server: string; token: string; namespace: string; context: string }; error?: RegExp }[] = [
    {
      name: 'the first file to set current-context wins',
      files: {
        a: config({ clusters: [['c1', 'https://a']], users: [['u1', { token: 'ta' }]], contexts: [['x', 'c1', 'u1', 'ns-a']], current: 'x' }),
        b: config({ clusters: [['c2', 'https://b']], users: [['u2', { token: 'tb' }]], contexts: [['y', 'c2', 'u2']], current: 'y' }),
      },
      order: ['a', 'b'],
      want: { server: 'https://a', token: 'ta', namespace: 'ns-a', context: 'x' },
    },
    {
      name: 'a context may use a cluster and a user from another file; the first definition of a name wins',
      files: {
        a: config({ contexts: [['x', 'c', 'u']], current: 'x' }),
        b: config({ clusters: [['c', 'https://b']], users: [['u', { token: 'tb' }]] }),
        c: config({ clusters: [['c', 'https://c']], users: [['u', { token: 'tc' }]] }),
      },
      order: ['a', 'b', 'c'],
      want: { server: 'https://b', token: 'tb', namespace: '', context: 'x' },
    },
    {
      name: 'missing files in the list are skipped',
      files: { b: config({ clusters: [['c', 'https://b']], users: [['u', { token: 'tb' }]], contexts: [['x', 'c', 'u']], current: 'x' }) },
      order: ['missing', 'b'],
      want: { server: 'https://b', token: 'tb', namespace: '', context: 'x' },
    },
    {
      name: '--context chooses another context',
      files: { a: config({ clusters: [['c', 'https://a']], users: [['u', { token: 't' }]], contexts: [['x', 'c', 'u'], ['y', 'c', 'u', 'prod']], current: 'x' }) },
      order: ['a'],
      context: 'y',
      want: { server: 'https://a', token: 't', namespace: 'prod', context: 'y' },
    },
    {
      name: 'an unknown context is named with the ones there are',
      files: { a: config({ clusters: [['c', 'https://a']], users: [['u', { token: 't' }]], contexts: [['x', 'c', 'u']], current: 'x' }) },
      order: ['a'],
      context: 'nope',
      error: /context "nope" not found \(contexts: x\)/,
    },
    { name: 'no file at all', files: {}, order: ['missing'], error: /no kubeconfig file found \(looked for .*missing\)/ },
    { name: 'no current context', files: { a: config({ clusters: [['c', 'https://a']] }) }, order: ['a'], error: /no current context/ },
    {
      name: 'a user without credentials',
      files: { a: config({ clusters: [['c', 'https://a']], users: [['u', {}]], contexts: [['x', 'c', 'u']], current: 'x' }) },
      order: ['a'],
      error: /context "x" has no usable credentials/,
    },
    { name: 'not YAML', files: { a: 'a: [' }, order: ['a'], error: /a: not a kubeconfig/ },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      for (const [name, text] of Object.entries(tc.files)) write(name, text);
      const files = tc.order.map((n) => path.join(dir, n));
      if (tc.error) {
        expect(() => loadKubeconfig(files, tc.context ? { context: tc.context } : {})).to.throw(KubeconfigError, tc.error);
        return;
      }
      const sel = loadKubeconfig(files, tc.context ? { context: tc.context } : {});
      expect({ server: sel.access.server, token: sel.access.token, namespace: sel.namespace, context: sel.context }).to.deep.equal(tc.want);
    });
  }

  it('reads credential files relative to the file that names them', () => {
    fs.mkdirSync(path.join(dir, 'sub'));
    write('sub/ca.crt', 'CA PEM');
    write('sub/token', 'secret\n');
    const f = write('sub/k', toYaml({ clusters: [{ name: 'c', cluster: { server: 'https://a', 'certificate-authority': 'ca.crt' } }], users: [{ name: 'u', user: { tokenFile: 'token' } }], contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }], 'current-context': 'x' }));
    const sel = loadKubeconfig([path.join(dir, 'other'), f]);
    expect([sel.access.caPem, sel.access.token]).to.deep.equal(['CA PEM', 'secret']);
  });

  it('readKubeconfig keeps its message for an unusable file', () => {
    const f = write('k', config({ clusters: [['c', 'https://a']] }));
    expect(() => readKubeconfig(f)).to.throw(`${f}: no usable current context with a token or a client certificate`);
  });
});
