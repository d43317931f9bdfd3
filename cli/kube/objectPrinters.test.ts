import { expect } from 'chai';
import { alignColumns } from './columns.js';
import { customColumns, resolvesAsNonString, toJson, toKubeYaml } from './objectPrinters.js';

describe('object printers', () => {
  it('aligns columns as Go tabwriter (minimum 6, padding 3, last cell unpadded)', () => {
    expect(alignColumns([['N', 'D', 'X'], ['good', '1', '<none>']])).to.equal('N      D     X\ngood   1     <none>\n');
  });

  const quoting: [string, boolean][] = [
    ['true', true], ['Yes', true], ['off', true], ['', true], ['~', true], ['010', true], ['0x1F', true], ['1.5e3', true], ['.inf', true],
    ['2026-12-07T09:22:47Z', true], ['2026-01-02', true], ['web', false], ['1.2.3', false], ['v1', false], ['echo hi: there', false],
  ];
  for (const [s, want] of quoting) it(`Go would ${want ? '' : 'not '}read ${JSON.stringify(s)} as another type`, () => expect(resolvesAsNonString(s)).to.equal(want));

  it('prints YAML as kubectl: sorted keys, lists at their key, Go quoting (keys too: n is a YAML 1.1 bool), literal blocks', () => {
    const doc = { metadata: { name: 'x', annotations: { b: 'line1\nline2\n', a: '2026-01-02' } }, apiVersion: 'v1', args: ['true', 'a: b', 'plain', ''], n: 3 };
    expect(toKubeYaml(doc)).to.equal(
      'apiVersion: v1\nargs:\n- "true"\n- \'a: b\'\n- plain\n- ""\nmetadata:\n  annotations:\n    a: "2026-01-02"\n    b: |\n      line1\n      line2\n  name: x\n"n": 3\n',
    );
  });

  it('prints JSON as kubectl: sorted keys, four spaces', () => {
    expect(toJson({ b: 1, a: { d: [1], c: null } })).to.equal('{\n    "a": {\n        "c": null,\n        "d": [\n            1\n        ]\n    },\n    "b": 1\n}\n');
  });

  it('custom columns join several values with commas and show <none> for missing ones', () => {
    const items = [{ metadata: { name: 'a' }, spec: { containers: [{ image: 'x' }, { image: 'y' }] } }, { metadata: { name: 'bb' } }];
    expect(customColumns(items, [{ header: 'NAME', path: '.metadata.name' }, { header: 'IMAGES', path: '{.spec.containers[*].image}' }], true)).to.equal('NAME   IMAGES\na      x,y\nbb     <none>\n');
    expect(customColumns(items, [{ header: 'NAME', path: '.metadata.name' }], false)).to.equal('a\nbb\n');
  });
});
