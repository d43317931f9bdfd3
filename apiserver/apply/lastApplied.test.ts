import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { definitions } from '../../common/schemas/index.js';
import { openApiPatchMeta } from '../patch/patchMeta.js';
import { leaves } from './fieldSet.js';
import { fieldsFromLastApplied, lastAppliedAnnotation, syncLastApplied } from './lastApplied.js';

const meta = openApiPatchMeta(definitions, 'io.k8s.api.apps.v1.Deployment');

function deployment(annotation: unknown, spec: Record<string, unknown>): KubeObject {
  const text = typeof annotation === 'string' ? annotation : JSON.stringify(annotation);
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'n', annotations: { [lastAppliedAnnotation]: text } }, spec };
}

const template = (image: string): Record<string, unknown> => ({ spec: { containers: [{ name: 'c', image }] } });
const lastApplied = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'n', annotations: {} }, spec: { replicas: 2, template: template('web:1') } };

describe('the last-applied annotation and server-side apply by kubectl', () => {
  const cases: { name: string; live: KubeObject; allowed: string[][] }[] = [
    {
      name: 'grants every recorded field the object still has',
      live: deployment(lastApplied, { replicas: 2, template: template('web:1') }),
      allowed: [
        ['f:spec', 'f:replicas'],
        ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"c"}'],
        ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"c"}', 'f:image'],
        ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"c"}', 'f:name'],
      ],
    },
    {
      name: 'not fields someone changed since (kubectl scale)',
      live: deployment(lastApplied, { replicas: 5, template: template('web:1') }),
      allowed: [
        ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"c"}'],
        ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"c"}', 'f:image'],
        ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"c"}', 'f:name'],
      ],
    },
    { name: 'nothing for an annotation that is not JSON', live: deployment('{not json', { replicas: 2 }), allowed: [] },
    { name: 'nothing for an annotation that is not an object', live: deployment('[1]', { replicas: 2 }), allowed: [] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const got = leaves(fieldsFromLastApplied(tc.live, meta)).filter((p) => p[0] !== 'f:metadata');
      expect(got).to.have.deep.members(tc.allowed);
    });
  }

  it('keeps an existing annotation equal to the newly applied configuration', () => {
    const obj = deployment(lastApplied, { replicas: 3 });
    const applied: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', annotations: { [lastAppliedAnnotation]: 'stale', team: 'a' } }, spec: { replicas: 3 } };
    syncLastApplied(obj, applied);
    expect(JSON.parse(obj.metadata.annotations![lastAppliedAnnotation]!)).to.deep.equal({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', annotations: { team: 'a' } }, spec: { replicas: 3 } });
    expect(applied.metadata.annotations![lastAppliedAnnotation]).to.equal('stale');
  });

  it('never adds the annotation to an object without one', () => {
    const obj: KubeObject = { metadata: { name: 'd' } };
    syncLastApplied(obj, { metadata: { name: 'd' }, spec: { replicas: 3 } });
    expect(obj.metadata.annotations).to.equal(undefined);
  });

  it('drops the annotation when it would push the annotations over 256 KiB', () => {
    const obj = deployment(lastApplied, {});
    syncLastApplied(obj, { metadata: { name: 'd' }, spec: { big: 'x'.repeat(300 * 1024) } });
    expect(obj.metadata.annotations).to.not.have.property(lastAppliedAnnotation);
  });
});
