import { expect } from 'chai';
import { parseYaml, parseYamlDocuments, parseYamlStream, YamlError } from './yaml.js';

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

describe('parseYamlDocuments', () => {
  const cases: { name: string; text: string; want: ({ value: unknown; line: number } | { error: RegExp; line: number; at: [number, number | undefined] })[] }[] = [
    { name: 'documents with their first lines', text: 'a: 1\n---\n# c\nb: 2\n---\n---\nc: 3\n', want: [{ value: { a: 1 }, line: 1 }, { value: { b: 2 }, line: 4 }, { value: { c: 3 }, line: 7 }] },
    { name: 'a leading marker', text: '---\na: 1\n', want: [{ value: { a: 1 }, line: 2 }] },
    { name: 'a node on the marker line', text: '--- {a: 1}\n', want: [{ value: { a: 1 }, line: 1 }] },
    {
      name: 'a syntax error fails only its document, at its position in the stream',
      text: 'a: 1\n---\nb: 2\n  c: : x\n---\nd: 4\n',
      want: [{ value: { a: 1 }, line: 1 }, { error: /./, line: 2, at: [4, 4] }, { value: { d: 4 }, line: 6 }],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const got = parseYamlDocuments(tc.text);
      expect(got).to.have.length(tc.want.length);
      tc.want.forEach((w, i) => {
        const g = got[i]!;
        if ('error' in w) {
          expect(g).to.have.property('error');
          const e = (g as { error: YamlError }).error;
          expect(e.message).to.match(w.error);
          expect([g.line, e.line, e.column]).to.deep.equal([w.line, ...w.at]);
        } else expect(g).to.deep.equal(w);
      });
    });
  }
});
