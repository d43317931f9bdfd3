import { expect } from 'chai';
import { parseYaml, parseYamlStream, YamlError } from './yaml.js';

const bomb = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`;

describe('bounded YAML', () => {
  const cases: { name: string; text: string; error?: RegExp; want?: unknown }[] = [
    { name: 'plain document', text: 'a: 1\nb: [x, y]\n', want: { a: 1, b: ['x', 'y'] } },
    { name: 'JSON is YAML', text: '{"a": {"b": null}}', want: { a: { b: null } } },
    { name: 'alias bomb is refused quickly', text: bomb, error: /more than/ },
    { name: 'deep nesting is refused', text: '['.repeat(200) + ']'.repeat(200), error: /nest/ },
    { name: 'syntax error has a position', text: 'a: 1\n  b: : :\n', error: /./ },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      if (tc.error) {
        const start = Date.now();
        expect(() => parseYaml(tc.text)).to.throw(YamlError, tc.error);
        expect(Date.now() - start).to.be.lessThan(2000);
      } else {
        expect(parseYaml(tc.text)).to.deep.equal(tc.want);
      }
    });
  }

  it('reports the line of a syntax error', () => {
    try {
      parseYaml('a: 1\nb: [\n');
      expect.fail('parsed');
    } catch (e) {
      expect((e as YamlError).line).to.be.a('number');
    }
  });

  it('splits streams and records where each document starts', () => {
    const docs = parseYamlStream('a: 1\n---\nb: 2\n---\n# empty\n---\nc: 3\n');
    expect(docs.map((d) => d.value)).to.deep.equal([{ a: 1 }, { b: 2 }, { c: 3 }]);
    expect(docs.map((d) => d.line)).to.deep.equal([1, 3, 7]);
  });
});
