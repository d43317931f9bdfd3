import { expect } from 'chai';
import { compileTemplate, TemplateError } from './jsonpathTemplate.js';

const list = {
  kind: 'List',
  items: [
    { metadata: { name: 'a', labels: { app: 'web', 'k8s.io/x': 'y' } }, status: { conditions: [{ type: 'Ready', status: 'True' }], replicas: 2 } },
    { metadata: { name: 'b' }, status: { conditions: [{ type: 'Ready', status: 'False' }] } },
  ],
};

describe('kubectl JSONPath templates', () => {
  const cases: { name: string; template: string; want?: string; error?: RegExp }[] = [
    { name: 'all names, space separated', template: '{.items[*].metadata.name}', want: 'a b' },
    { name: 'range with literal text and a quoted newline', template: '{range .items[*]}{.metadata.name}:{.status.replicas}{"\\n"}{end}', want: 'a:2\nb:\n' },
    { name: 'index and slice', template: '{.items[0].metadata.name} {.items[0:1].metadata.name}', want: 'a a' },
    { name: 'filter', template: '{.items[?(@.status.conditions[0].status=="False")].metadata.name}', want: 'b' },
    { name: 'a key with dots', template: "{.items[0].metadata.labels['k8s.io/x']}", want: 'y' },
    { name: 'a map prints as JSON with sorted keys', template: '{.items[0].metadata.labels}', want: '{"app":"web","k8s.io/x":"y"}' },
    { name: 'recursive descent', template: '{..type}', want: 'Ready Ready' },
    { name: 'a missing key prints nothing', template: 'x{.nope}y', want: 'xy' },
    { name: 'without braces nothing is evaluated', template: 'plain', want: 'plain' },
    { name: 'unclosed action', template: '{.items', error: /unclosed/ },
    { name: 'range without end', template: '{range .items[*]}{.x}', error: /without \{end\}/ },
    { name: 'end without range', template: '{end}', error: /without \{range\}/ },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      if (tc.error) expect(() => compileTemplate(tc.template)(list)).to.throw(TemplateError, tc.error);
      else expect(compileTemplate(tc.template)(list)).to.equal(tc.want);
    });
  }
});
