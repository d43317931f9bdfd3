import { expect } from 'chai';
import { fieldLine, pathSegments } from './fieldLines.js';

const doc = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: -1
  template:
    spec:
      containers:
      - name: a
        image: x
      - name: "c"
        image: ""
        ports: [{containerPort: 80}]
data: {"k.1": v}
`;

describe('field paths to manifest lines', () => {
  it('splits paths', () => {
    expect(pathSegments('.spec.containers[name="c"].ports[0]')).to.deep.equal(['spec', 'containers', '[name="c"]', 'ports', '[0]']);
    expect(pathSegments('data[a.b]')).to.deep.equal(['data', '[a.b]']);
  });

  const cases: { path: string; line: number | undefined }[] = [
    { path: 'spec.replicas', line: 16 },
    { path: 'spec.template.spec.containers[1].image', line: 23 },
    { path: '.spec.template.spec.containers[name="c"]', line: 22 },
    { path: 'spec.template.spec.containers[1].ports[0].containerPort', line: 24 },
    { path: 'data[k.1]', line: 25 },
    { path: 'spec.template.spec.containers[0].resources.limits', line: 20 },
    { path: 'spec.selector', line: 15 },
    { path: 'metadata.name', line: 14 },
  ];
  for (const tc of cases) it(tc.path, () => expect(fieldLine(doc, 11, tc.path)).to.equal(tc.line));

  it('gives up on text that does not parse', () => expect(fieldLine('a: [', 1, 'a')).to.equal(undefined));
});
