// `gantry explain` against a real etcd and API server's OpenAPI v3, compared byte for byte
// with the real kubectl 1.32's explain of the same types and field paths; and the word
// wrapping on its own, table-driven.

import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startProcessCluster, type ProcessCluster } from '../../common/testing/cluster.js';
import { kubectlBinary, runKubectl } from '../../common/testing/kubectl.js';
import { explainSchema, wrap, type OpenApiDocument } from './explain.js';
import { runGantry, type GantryResult } from './testing.js';

describe('explain: wrapping as kubectl does', () => {
  const cases: { name: string; text: string; width: number; want: string }[] = [
    { name: 'short text stays', text: 'one two', width: 10, want: 'one two' },
    { name: 'a word past the width starts a line, the space before it dropped', text: 'aaa bbb ccc', width: 7, want: 'aaa bbb\nccc' },
    { name: 'newlines in the text start lines and reset the count', text: 'aaaa\nbbbb cc', width: 7, want: 'aaaa\nbbbb cc' },
    { name: 'a word as long as the width stays whole', text: 'a https://example.com/x b', width: 6, want: 'a\nhttps://example.com/x\nb' },
    { name: 'a final newline is kept', text: 'one two\n', width: 4, want: 'one\ntwo\n' },
    { name: 'counts characters, not bytes', text: 'héhé héhé', width: 9, want: 'héhé héhé' },
  ];
  for (const tc of cases) it(tc.name, () => expect(wrap(tc.text, tc.width)).to.equal(tc.want));

  it('follows refs, lists fields sorted with -required-, and stops at cycles with --recursive', () => {
    const doc: OpenApiDocument = {
      components: {
        schemas: {
          'x.Node': { type: 'object', description: 'A tree node.', 'x-kubernetes-group-version-kind': [{ group: 'g', version: 'v1', kind: 'Node' }], required: ['name'], properties: { name: { type: 'string', description: 'Its name.' }, child: { allOf: [{ $ref: '#/components/schemas/x.Node' }], description: 'A child.' } } },
        },
      },
    };
    const gvk = { group: 'g', version: 'v1', kind: 'Node' };
    expect(explainSchema(doc, gvk, [], false)).to.deep.equal({ text: 'DESCRIPTION:\n    A tree node.\n    \nFIELDS:\n  child\t<Node>\n    A child.\n\n  name\t<string> -required-\n    Its name.\n\n' });
    expect(explainSchema(doc, gvk, [], true)).to.deep.equal({ text: 'DESCRIPTION:\n    A tree node.\n    \nFIELDS:\n  child\t<Node>\n    child\t<Node>\n    name\t<string> -required-\n  name\t<string> -required-\n' });
    expect(explainSchema(doc, gvk, ['child', 'name'], false)).to.deep.equal({ text: 'FIELD: name <string>\n\n\nDESCRIPTION:\n    Its name.\n    \n' });
    expect(explainSchema(doc, gvk, ['child', 'nope'], false)).to.deep.equal({ missing: 'nope' });
  });
});

describe('gantry explain (etcd + API server processes, compared with kubectl explain)', function () {
  this.timeout(120_000);
  let c: ProcessCluster;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    c = await startProcessCluster();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-explain-'));
    env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: c.kubeconfig };
  });
  after(async () => {
    await c?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const gantry = (args: string[]): Promise<GantryResult> => runGantry(args, { env });
  const kubectl = (args: string[]): Promise<GantryResult> => runKubectl(c.kubeconfig, path.join(dir, 'kubectl-cache'), args, { binary: kubectlBinary(32) }).done;

  const sameCases: { name: string; args: string[]; has: string }[] = [
    { name: 'a resource: group, kind, version, description, fields', args: ['explain', 'deployment'], has: 'GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n' },
    { name: 'a core resource by short name (no GROUP line)', args: ['explain', 'po'], has: 'KIND:       Pod\nVERSION:    v1\n\nDESCRIPTION:' },
    { name: 'a scalar field', args: ['explain', 'deployment.spec.replicas'], has: 'FIELD: replicas <integer>\n' },
    { name: 'a list field: its description then its item type\'s, and the item fields', args: ['explain', 'pod.spec.containers'], has: 'FIELD: containers <[]Container>' },
    { name: 'a map field', args: ['explain', 'deploy.spec.template.metadata.labels'], has: '<map[string]string>' },
    { name: 'an IntOrString field', args: ['explain', 'svc.spec.ports.targetPort'], has: '<IntOrString>' },
    { name: 'required fields', args: ['explain', 'pod.spec'], has: 'containers\t<[]Container> -required-' },
    { name: '--recursive', args: ['explain', 'job.spec', '--recursive'], has: '    spec\t<PodSpec>\n' },
    { name: '--recursive of a whole resource', args: ['explain', 'deploy', '--recursive'], has: '  spec\t<DeploymentSpec>\n' },
    { name: '--api-version', args: ['explain', 'deploy.spec.paused', '--api-version=apps/v1'], has: 'FIELD: paused <boolean>' },
  ];
  for (const tc of sameCases) {
    it(`prints what kubectl prints: ${tc.name}`, async () => {
      const [g, k] = await Promise.all([gantry(tc.args), kubectl(tc.args)]);
      expect(k.code, k.stderr).to.equal(0);
      expect(g).to.deep.equal(k);
      expect(g.stdout).to.include(tc.has);
    });
  }

  it('a field that does not exist: the header, then the error, exit 1, as kubectl', async () => {
    for (const args of [
      ['explain', 'deploy.foo'],
      ['explain', 'deploy.spec.replicas.x'],
    ]) {
      const [g, k] = await Promise.all([gantry(args), kubectl(args)]);
      expect(g).to.deep.equal(k);
      expect(g.code).to.equal(1);
    }
  });

  it('reports wrong usage and unknown types', async () => {
    const cases: { args: string[]; want: GantryResult }[] = [
      { args: ['explain', 'frobs'], want: { code: 1, stdout: '', stderr: 'error: the server doesn\'t have a resource type "frobs"\n' } },
      { args: ['explain', 'deploy..spec'], want: { code: 2, stdout: '', stderr: 'error: expected TYPE or TYPE.field.path (e.g. deployment.spec.replicas), got "deploy..spec"\n' } },
      { args: ['explain', 'deploy', '--api-version=apps/v9'], want: { code: 1, stdout: '', stderr: 'error: the server has no Deployment in --api-version apps/v9\n' } },
      { args: ['explain'], want: { code: 2, stdout: '', stderr: "error: missing required argument 'type[.field.path]'\n" } },
    ];
    for (const tc of cases) expect(await gantry(tc.args), tc.args.join(' ')).to.deep.equal(tc.want);
  });
});
