// Shell completion against a real etcd and API server: `gantry __complete` candidates for
// commands, flags, flag values, resource types and object names (table-driven), then the
// scripts run by the real bash and zsh calling a `gantry` on PATH.

import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcessCluster, type ProcessCluster } from '../../common/testing/cluster.js';
import { runGantry, type GantryResult } from './testing.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function sh(shell: string, script: string, env: NodeJS.ProcessEnv): Promise<GantryResult> {
  return new Promise((resolve) => {
    execFile(shell, ['-c', script], { env, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

describe('gantry completion (etcd + API server processes)', function () {
  this.timeout(120_000);
  let c: ProcessCluster;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const post = async (p: string, body: object): Promise<void> => {
    const r = await c.client.request('POST', p, { body });
    expect(r.status, `POST ${p}: ${r.text}`).to.equal(201);
  };

  before(async () => {
    c = await startProcessCluster();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-completion-'));
    // The scripts call `gantry`: this one runs the sources, as the installed bin runs dist/.
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin', 'gantry'), `#!/bin/sh\nexec ${path.join(repo, 'node_modules', '.bin', 'tsx')} ${path.join(repo, 'cli', 'main.ts')} "$@"\n`, { mode: 0o755 });
    env = { PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, HOME: dir, KUBECONFIG: c.kubeconfig };
    await post('/api/v1/namespaces', { metadata: { name: 'shop' } });
    for (const n of ['web-a', 'web-b']) await post('/api/v1/namespaces/shop/configmaps', { metadata: { name: n } });
    await post('/api/v1/namespaces/default/configmaps', { metadata: { name: 'in-default' } });
    await post('/api/v1/namespaces/shop/pods', { metadata: { name: 'p1' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    await post('/apis/apps/v1/namespaces/shop/deployments', { metadata: { name: 'front' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } });
    await post('/api/v1/nodes', { metadata: { name: 'n1' } });
  });
  after(async () => {
    await c?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const complete = async (words: string[]): Promise<string[]> => {
    const r = await runGantry(['__complete', '--', ...words], { env });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.equal('');
    return r.stdout.split('\n').filter(Boolean);
  };

  const cases: { name: string; words: string[]; has: string[]; not?: string[]; exactly?: string[] }[] = [
    { name: 'commands, without the hidden one', words: [''], has: ['get', 'apply', 'events', 'explain', 'diff', 'completion', 'rollout'], not: ['__complete'] },
    { name: 'subcommands', words: ['rollout', ''], exactly: ['status', 'history', 'undo', 'restart', 'pause', 'resume'], has: [] },
    { name: "a command's flags", words: ['apply', '--'], has: ['--filename', '--prune', '--wait', '--kubeconfig', '--namespace'] },
    { name: 'resource types from discovery', words: ['get', ''], has: ['pods', 'deployments', 'configmaps', 'nodes'] },
    { name: 'names of the type in the context namespace', words: ['get', 'configmaps', ''], has: ['in-default'], not: ['web-a'] },
    { name: 'names in the namespace typed with -n', words: ['describe', '-n', 'shop', 'cm', ''], has: ['web-a', 'web-b'], not: ['in-default'] },
    { name: 'names in the namespace typed as --namespace=', words: ['delete', 'cm', '--namespace=shop', ''], has: ['web-a'] },
    { name: 'TYPE/NAME', words: ['get', '-n', 'shop', 'deploy/'], exactly: ['deploy/front'], has: [] },
    { name: 'rollout: deployments', words: ['rollout', 'status', '-n', 'shop', ''], exactly: ['deployment/front'], has: [] },
    { name: 'logs: pods', words: ['logs', '-n', 'shop', ''], exactly: ['p1'], has: [] },
    { name: 'cordon: nodes', words: ['cordon', ''], exactly: ['n1'], has: [] },
    { name: 'explain: types', words: ['explain', ''], has: ['deployments'] },
    { name: 'events --for TYPE/NAME', words: ['events', '-n', 'shop', '--for', 'pods/'], exactly: ['pods/p1'], has: [] },
    { name: '-n: namespaces', words: ['get', 'pods', '-n', ''], has: ['default', 'shop'] },
    { name: '--context: the kubeconfig contexts', words: ['get', '--context', ''], exactly: ['gantry'], has: [] },
    { name: '-o: formats', words: ['get', 'pods', '-o', ''], has: ['yaml', 'json', 'wide', 'jsonpath='] },
    { name: '-f: files', words: ['apply', '-f', ''], exactly: ['__files__'], has: [] },
    { name: 'completion: shells', words: ['completion', ''], exactly: ['bash', 'zsh'], has: [] },
    { name: 'an unknown type: nothing, no error', words: ['get', 'frobs', ''], exactly: [], has: [] },
    { name: 'an unreachable cluster: nothing, no error', words: ['get', '--kubeconfig', '/nonexistent', 'pods', ''], exactly: [], has: [] },
  ];
  for (const tc of cases) {
    it(`__complete: ${tc.name}`, async () => {
      const got = await complete(tc.words);
      if (tc.exactly) expect(got).to.deep.equal(tc.exactly);
      for (const h of tc.has) expect(got).to.include(h);
      for (const n of tc.not ?? []) expect(got).not.to.include(n);
    });
  }

  it('the bash script completes types, names and files in the real bash', async () => {
    fs.writeFileSync(path.join(dir, 'web.yaml'), '');
    const run = (words: string[]): Promise<GantryResult> =>
      sh('bash', `cd ${dir} && source <(gantry completion bash) && COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}) && COMP_CWORD=${words.length - 1} && _gantry && printf '%s\\n' "\${COMPREPLY[@]}"`, env);
    expect(await run(['gantry', 'get', 'deployme'])).to.deep.equal({ code: 0, stdout: 'deployments\n', stderr: '' });
    expect(await run(['gantry', 'get', 'cm', '-n', 'shop', 'web-'])).to.deep.equal({ code: 0, stdout: 'web-a\nweb-b\n', stderr: '' });
    expect(await run(['gantry', 'apply', '-f', 'we'])).to.deep.equal({ code: 0, stdout: 'web.yaml\n', stderr: '' });
    expect((await runGantry(['completion', 'fish'], { env })).stderr).to.equal('error: completion: the shell must be bash or zsh, not "fish"\n');
  });

  it('the zsh script offers the same candidates to compadd (zsh from scripts/setup.sh)', async function () {
    // compadd and compdef are the completion system's; here they print what they were given.
    const script = `compadd() { print -r -- "compadd $*" }; compdef() { :; }; _files() { print _files }
source <(gantry completion zsh)
words=(gantry get cm -n shop ''); CURRENT=6; _gantry
words=(gantry get -n shop 'deploy/'); CURRENT=5; _gantry
words=(gantry apply -f ''); CURRENT=4; _gantry
words=(gantry events -n shop --for 'nod'); CURRENT=6; _gantry`;
    const types = (await complete(['events', '--for', ''])).join(' ');
    expect(await sh('zsh', script, env)).to.deep.equal({ code: 0, stdout: `compadd -- web-a web-b\ncompadd -- deploy/front\n_files\ncompadd -S  -- ${types}\n`, stderr: '' });
  });
});
