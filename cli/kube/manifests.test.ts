import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readManifests } from './manifests.js';

describe('reading manifests', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-manifests-'));
    const put = (f: string, text: string): void => {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), text);
    };
    put('d/a.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n');
    put('d/b.json', '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}');
    put('d/skip.txt', 'kind: nothing');
    put('d/sub/c.yml', '# comment\n\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n');
    put('empty/readme.md', 'no manifests');
    put('list.yaml', 'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: l1}}\n- {apiVersion: v1, kind: Secret, metadata: {name: l2}}\n');
    put('bad.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\n- a list\n---\nkind: ConfigMap\nmetadata: {}\n---\nmetadata:\n  name: [unclosed\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cases: { name: string; sources: string[]; recursive?: boolean; stdin?: string; objects: string[]; problems: string[] }[] = [
    { name: 'a directory: its manifests in name order, not its subdirectories', sources: ['d'], objects: ['d/a.yaml:1 a', 'd/b.json:1 b'], problems: [] },
    { name: '-R descends', sources: ['d'], recursive: true, objects: ['d/a.yaml:1 a', 'd/b.json:1 b', 'd/sub/c.yml:3 c'], problems: [] },
    { name: 'a List applies item by item', sources: ['list.yaml'], objects: ['list.yaml:1 l1', 'list.yaml:1 l2'], problems: [] },
    { name: 'standard input', sources: ['-'], stdin: '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\n', objects: ['<stdin>:2 s'], problems: [] },
    { name: 'a missing path', sources: ['nope.yaml'], objects: [], problems: ['the path "DIR/nope.yaml" does not exist'] },
    { name: 'a directory without manifests', sources: ['empty'], objects: [], problems: ['DIR/empty: no manifests (*.yaml, *.yml, *.json) in this directory (use -R for its subdirectories)'] },
    {
      name: 'each bad document says where and why; the good ones still come',
      sources: ['bad.yaml'],
      objects: ['bad.yaml:1 ok'],
      problems: [
        'DIR/bad.yaml:5: expected an object (a YAML mapping with apiVersion, kind and metadata), found a list',
        'DIR/bad.yaml:7: ConfigMap without apiVersion, metadata.name: every object needs apiVersion, kind and metadata.name',
        'DIR/bad.yaml:12:1: YAML syntax error: deficient indentation\n  12 | \n     | ^',
      ],
    },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const set = await readManifests(tc.sources.map((s) => (s === '-' ? s : path.join(dir, s))), Boolean(tc.recursive), async () => tc.stdin ?? '');
      const shown = (f: string): string => (f.startsWith(dir) ? path.relative(dir, f) : f);
      expect(set.objects.map((o) => `${shown(o.file)}:${o.line} ${o.obj.metadata!.name}`)).to.deep.equal(tc.objects);
      expect(set.problems.map((p) => p.split(dir).join('DIR'))).to.deep.equal(tc.problems);
    });
  }
});
