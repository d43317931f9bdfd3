import { expect } from 'chai';
import { BadRequestError } from '../../common/errors.js';
import { applyStrategicMergePatch } from './strategicMergePatch.js';
import { type PatchMeta, openApiPatchMeta, unknownPatchMeta } from './patchMeta.js';
import { DEPLOYMENT, POD, testDefinitions } from './testSchemas.js';
import { deepFreeze, nested, sharesObjects } from './testSupport.js';

const podMeta = openApiPatchMeta(testDefinitions, POD);
const deploymentMeta = openApiPatchMeta(testDefinitions, DEPLOYMENT);

const c = (name: string, extra: Record<string, unknown> = {}) => ({ name, image: `${name}:1`, ...extra });
const podWith = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'p' }) => ({ apiVersion: 'v1', kind: 'Pod', metadata, spec });
const deploymentWith = (podSpec: Record<string, unknown>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', annotations: { a: '1' } },
  spec: { replicas: 1, template: { metadata: { labels: { app: 'web' } }, spec: podSpec } },
});

interface Case {
  name: string;
  meta?: PatchMeta;
  original: Record<string, unknown>;
  patch: Record<string, unknown>;
  want: unknown;
}

/** Keys that must never survive into a stored object. */
function directivesIn(v: unknown, path = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => directivesIn(x, `${path}[${i}]`));
  if (typeof v !== 'object' || v === null) return [];
  return Object.entries(v).flatMap(([k, x]) => {
    const here = /^\$(patch|retainKeys|setElementOrder|deleteFromPrimitiveList)/.test(k) ? [`${path}.${k}`] : [];
    return [...here, ...directivesIn(x, `${path}.${k}`)];
  });
}

describe('applyStrategicMergePatch', () => {
  const cases: Case[] = [
    // Maps
    {
      name: 'null deletes a key',
      original: podWith({ nodeName: 'n1', containers: [c('a')] }, { name: 'p', labels: { app: 'x', tier: 'y' } }),
      patch: { metadata: { labels: { tier: null } }, spec: { nodeName: null } },
      want: podWith({ containers: [c('a')] }, { name: 'p', labels: { app: 'x' } }),
    },
    {
      name: 'nested maps merge',
      original: podWith({ containers: [c('a')] }, { name: 'p', labels: { app: 'x' } }),
      patch: { metadata: { labels: { tier: 'y' }, annotations: { note: 'n' } } },
      want: podWith({ containers: [c('a')] }, { name: 'p', labels: { app: 'x', tier: 'y' }, annotations: { note: 'n' } }),
    },
    {
      name: 'map values described by additionalProperties merge',
      original: podWith({ containers: [c('a', { resources: { limits: { cpu: '1' } } })] }),
      patch: { spec: { containers: [{ name: 'a', resources: { limits: { memory: '1Gi' } } }] } },
      want: podWith({ containers: [c('a', { resources: { limits: { cpu: '1', memory: '1Gi' } } })] }),
    },
    {
      name: 'cordon: a scalar on a schema-less object',
      meta: unknownPatchMeta,
      original: { kind: 'Node', metadata: { name: 'n' }, spec: { podCIDR: '10.0.0.0/24' } },
      patch: { spec: { unschedulable: true } },
      want: { kind: 'Node', metadata: { name: 'n' }, spec: { podCIDR: '10.0.0.0/24', unschedulable: true } },
    },
    {
      name: 'a value of another type replaces the old one',
      original: podWith({ containers: [c('a')], nodeSelector: { disk: 'ssd' } }),
      patch: { spec: { nodeSelector: 'oops', containers: { weird: true } } },
      want: podWith({ containers: { weird: true }, nodeSelector: 'oops' }),
    },
    // Lists merged by key
    {
      name: 'a merge list merges by key and keeps unrelated items',
      original: podWith({ containers: [c('a'), c('b', { env: [{ name: 'X', value: '1' }] }), c('z')] }),
      patch: { spec: { containers: [{ name: 'b', image: 'b:2' }] } },
      want: podWith({ containers: [c('a'), { name: 'b', image: 'b:2', env: [{ name: 'X', value: '1' }] }, c('z')] }),
    },
    {
      name: 'nested merge lists (env inside a container) merge too',
      original: podWith({ containers: [c('a', { env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] })] }),
      patch: { spec: { containers: [{ name: 'a', env: [{ name: 'Y', value: '3' }] }] } },
      want: podWith({ containers: [c('a', { env: [{ name: 'X', value: '1' }, { name: 'Y', value: '3' }] })] }),
    },
    {
      name: 'without $setElementOrder, items new to the list go first (as in Kubernetes)',
      original: podWith({ containers: [c('a', { env: [{ name: 'A', value: 'a' }, { name: 'B', value: 'b' }] })] }),
      patch: { spec: { containers: [{ name: 'a', env: [{ name: 'C', value: 'c' }] }] } },
      want: podWith({ containers: [c('a', { env: [{ name: 'C', value: 'c' }, { name: 'A', value: 'a' }, { name: 'B', value: 'b' }] })] }),
    },
    {
      name: 'patched items follow the patch order, interleaved with the rest by live order',
      original: podWith({ containers: [c('a'), c('b'), c('c')] }),
      patch: { spec: { containers: [{ name: 'c', image: 'c:2' }, { name: 'a', image: 'a:2' }] } },
      want: podWith({ containers: [c('b'), { name: 'c', image: 'c:2' }, { name: 'a', image: 'a:2' }] }),
    },
    {
      name: 'ports merge by a numeric key (containerPort)',
      original: podWith({ containers: [c('a', { ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }] })] }),
      patch: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 443, name: 'https' }] }] } },
      want: podWith({ containers: [c('a', { ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443, name: 'https' }] })] }),
    },
    {
      name: 'volumeMounts merge by mountPath',
      original: podWith({ containers: [c('a', { volumeMounts: [{ name: 'v', mountPath: '/data' }] })] }),
      patch: { spec: { containers: [{ name: 'a', volumeMounts: [{ mountPath: '/data', readOnly: true }] }] } },
      want: podWith({ containers: [c('a', { volumeMounts: [{ name: 'v', mountPath: '/data', readOnly: true }] })] }),
    },
    {
      name: 'status conditions merge by type',
      original: { ...podWith({ containers: [c('a')] }), status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }, { type: 'Initialized', status: 'True' }] } },
      patch: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
      want: { ...podWith({ containers: [c('a')] }), status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }, { type: 'Initialized', status: 'True' }] } },
    },
    {
      name: 'ownerReferences merge by uid',
      original: podWith({ containers: [] }, { name: 'p', ownerReferences: [{ uid: 'u1', name: 'rs1' }] }),
      patch: { metadata: { ownerReferences: [{ uid: 'u2', name: 'rs2' }] } },
      want: podWith({ containers: [] }, { name: 'p', ownerReferences: [{ uid: 'u2', name: 'rs2' }, { uid: 'u1', name: 'rs1' }] }),
    },
    // $setElementOrder
    {
      name: 'kubectl apply / set image: $setElementOrder with one changed container',
      meta: deploymentMeta,
      original: deploymentWith({ containers: [{ name: 'c', image: 'web:1', ports: [{ containerPort: 80 }] }] }),
      patch: { spec: { template: { spec: { $setElementOrder$containers: [{ name: 'c' }], containers: [{ image: 'web:2', name: 'c' }] } } } },
      want: deploymentWith({ containers: [{ name: 'c', image: 'web:2', ports: [{ containerPort: 80 }] }] }),
    },
    {
      name: 'kubectl apply: replicas, annotation and image in one patch',
      meta: deploymentMeta,
      original: deploymentWith({ containers: [c('c'), c('side')] }),
      patch: {
        metadata: { annotations: { a: '2' } },
        spec: { replicas: 3, template: { spec: { $setElementOrder$containers: [{ name: 'c' }, { name: 'side' }], containers: [{ image: 'c:2', name: 'c' }] } } },
      },
      want: {
        ...deploymentWith({ containers: [{ name: 'c', image: 'c:2' }, c('side')] }),
        metadata: { name: 'web', annotations: { a: '2' } },
        spec: { replicas: 3, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'c:2' }, c('side')] } } },
      },
    },
    {
      name: '$setElementOrder reorders without content changes',
      original: podWith({ containers: [c('a'), c('b'), c('c')] }),
      patch: { spec: { $setElementOrder$containers: [{ name: 'c' }, { name: 'a' }, { name: 'b' }] } },
      want: podWith({ containers: [c('c'), c('a'), c('b')] }),
    },
    {
      name: '$setElementOrder places a new item where the order says',
      original: podWith({ containers: [c('a'), c('b')] }),
      patch: { spec: { $setElementOrder$containers: [{ name: 'a' }, { name: 'x' }, { name: 'b' }], containers: [c('x')] } },
      want: podWith({ containers: [c('a'), c('x'), c('b')] }),
    },
    {
      name: '$setElementOrder keeps server-only items after the ones it orders',
      original: podWith({ containers: [c('a'), c('b'), c('sidecar')] }),
      patch: { spec: { $setElementOrder$containers: [{ name: 'b' }, { name: 'a' }] } },
      want: podWith({ containers: [c('b'), c('a'), c('sidecar')] }),
    },
    {
      name: '$setElementOrder keeps a server-only item in its live place',
      original: podWith({ containers: [c('injected'), c('a'), c('b')] }),
      patch: { spec: { $setElementOrder$containers: [{ name: 'a' }, { name: 'b' }, { name: 'd' }], containers: [c('d')] } },
      want: podWith({ containers: [c('injected'), c('a'), c('b'), c('d')] }),
    },
    {
      name: '$setElementOrder with a deletion (kubectl apply removing a container)',
      original: podWith({ containers: [c('a'), c('b'), c('c')] }),
      patch: { spec: { $setElementOrder$containers: [{ name: 'a' }, { name: 'c' }], containers: [{ name: 'b', $patch: 'delete' }] } },
      want: podWith({ containers: [c('a'), c('c')] }),
    },
    {
      name: '$setElementOrder for a list the object does not have yet',
      original: podWith({ containers: [c('a')] }),
      patch: { spec: { $setElementOrder$initContainers: [{ name: 'i2' }, { name: 'i1' }], initContainers: [c('i2'), c('i1')] } },
      want: podWith({ containers: [c('a')], initContainers: [c('i2'), c('i1')] }),
    },
    {
      name: '$setElementOrder on a scalar set (finalizers)',
      original: podWith({ containers: [] }, { name: 'p', finalizers: ['a', 'b'] }),
      patch: { metadata: { $setElementOrder$finalizers: ['c', 'b', 'a'], finalizers: ['c'] } },
      want: podWith({ containers: [] }, { name: 'p', finalizers: ['c', 'b', 'a'] }),
    },
    {
      name: '$setElementOrder on an atomic list is ignored and the list replaced',
      original: podWith({ containers: [c('a', { args: ['x', 'y'] })] }),
      patch: { spec: { containers: [{ name: 'a', $setElementOrder$args: ['y'], args: ['y'] }] } },
      want: podWith({ containers: [c('a', { args: ['y'] })] }),
    },
    // $patch directives
    {
      name: '$patch: delete in a merge list removes the item with that key',
      original: podWith({ containers: [c('a'), c('b')] }),
      patch: { spec: { containers: [{ name: 'a', $patch: 'delete' }] } },
      want: podWith({ containers: [c('b')] }),
    },
    {
      name: '$patch: delete for a missing key is a no-op',
      original: podWith({ containers: [c('a')] }),
      patch: { spec: { containers: [{ name: 'zz', $patch: 'delete' }] } },
      want: podWith({ containers: [c('a')] }),
    },
    {
      name: '$patch: replace in a list replaces the whole list',
      original: podWith({ containers: [c('a', { env: [{ name: 'A', value: 'a' }, { name: 'B', value: 'b' }] })] }),
      patch: { spec: { containers: [{ name: 'a', env: [{ $patch: 'replace' }, { name: 'C', value: 'c' }] }] } },
      want: podWith({ containers: [c('a', { env: [{ name: 'C', value: 'c' }] })] }),
    },
    {
      name: '$patch: replace alone empties a list',
      original: podWith({ containers: [c('a')] }, { name: 'p', finalizers: ['x'] }),
      patch: { metadata: { finalizers: [{ $patch: 'replace' }] } },
      want: podWith({ containers: [c('a')] }, { name: 'p', finalizers: [] }),
    },
    {
      name: '$patch: replace on a map replaces the map',
      original: podWith({ containers: [c('a')], securityContext: { runAsUser: 1, runAsNonRoot: true } }),
      patch: { spec: { securityContext: { $patch: 'replace', runAsUser: 2 } } },
      want: podWith({ containers: [c('a')], securityContext: { runAsUser: 2 } }),
    },
    {
      name: '$patch: delete on a map deletes it',
      original: podWith({ containers: [c('a')], securityContext: { runAsUser: 1 } }),
      patch: { spec: { securityContext: { $patch: 'delete' } } },
      want: podWith({ containers: [c('a')] }),
    },
    {
      name: '$patch: merge on a map is the default behaviour',
      original: podWith({ containers: [c('a')], securityContext: { runAsUser: 1 } }),
      patch: { spec: { securityContext: { $patch: 'merge', runAsNonRoot: true } } },
      want: podWith({ containers: [c('a')], securityContext: { runAsUser: 1, runAsNonRoot: true } }),
    },
    {
      name: '$patch: replace at the root',
      original: podWith({ containers: [c('a')] }),
      patch: { $patch: 'replace', kind: 'Pod', metadata: { name: 'q' } },
      want: { kind: 'Pod', metadata: { name: 'q' } },
    },
    // $retainKeys, $deleteFromPrimitiveList, sets
    {
      name: '$retainKeys drops the keys it does not list (Deployment strategy)',
      meta: deploymentMeta,
      original: { spec: { replicas: 1, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
      patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
      want: { spec: { replicas: 1, strategy: { type: 'Recreate' } } },
    },
    {
      name: '$retainKeys on volume items (merge,retainKeys list)',
      original: podWith({ containers: [], volumes: [{ name: 'v', emptyDir: {} }] }),
      patch: { spec: { volumes: [{ name: 'v', $retainKeys: ['name', 'hostPath'], hostPath: { path: '/x' } }] } },
      want: podWith({ containers: [], volumes: [{ name: 'v', hostPath: { path: '/x' } }] }),
    },
    {
      name: '$deleteFromPrimitiveList removes values from a scalar list',
      original: podWith({ containers: [] }, { name: 'p', finalizers: ['a', 'b', 'c'] }),
      patch: { metadata: { $deleteFromPrimitiveList$finalizers: ['b', 'nope'] } },
      want: podWith({ containers: [] }, { name: 'p', finalizers: ['a', 'c'] }),
    },
    {
      name: 'kubectl apply removing a finalizer ($setElementOrder + $deleteFromPrimitiveList)',
      original: podWith({ containers: [] }, { name: 'p', finalizers: ['a', 'b'] }),
      patch: { metadata: { $setElementOrder$finalizers: ['a'], $deleteFromPrimitiveList$finalizers: ['b'] } },
      want: podWith({ containers: [] }, { name: 'p', finalizers: ['a'] }),
    },
    {
      name: 'a scalar merge list is a set union (finalizers)',
      original: podWith({ containers: [] }, { name: 'p', finalizers: ['a', 'b'] }),
      patch: { metadata: { finalizers: ['b', 'c', 'c'] } },
      want: podWith({ containers: [] }, { name: 'p', finalizers: ['a', 'b', 'c'] }),
    },
    {
      name: 'a new finalizer goes first (Kubernetes order)',
      original: podWith({ containers: [] }, { name: 'p', finalizers: ['a'] }),
      patch: { metadata: { finalizers: ['x'] } },
      want: podWith({ containers: [] }, { name: 'p', finalizers: ['x', 'a'] }),
    },
    // Atomic lists
    {
      name: 'an atomic scalar list is replaced',
      original: podWith({ containers: [c('a', { args: ['x', 'y'] })] }),
      patch: { spec: { containers: [{ name: 'a', args: ['z'] }] } },
      want: podWith({ containers: [c('a', { args: ['z'] })] }),
    },
    {
      name: 'an atomic list of maps is replaced (tolerations)',
      original: podWith({ containers: [], tolerations: [{ key: 'a', operator: 'Exists' }, { key: 'b' }] }),
      patch: { spec: { tolerations: [{ key: 'a', effect: 'NoSchedule' }] } },
      want: podWith({ containers: [], tolerations: [{ key: 'a', effect: 'NoSchedule' }] }),
    },
    {
      name: 'a list the schema does not know is replaced',
      original: podWith({ containers: [], extras: [{ name: 'a', v: 1 }] }),
      patch: { spec: { extras: [{ name: 'a', w: 2 }] } },
      want: podWith({ containers: [], extras: [{ name: 'a', w: 2 }] }),
    },
    // Values new to the object are cleaned
    {
      name: 'directives and nulls inside values new to the object are applied, not stored',
      original: podWith({ containers: [c('a')] }),
      patch: {
        spec: {
          securityContext: { runAsUser: null, runAsNonRoot: true },
          initContainers: [
            { name: 'i', securityContext: { $patch: 'delete' }, env: [{ name: 'A', $patch: 'delete' }, { name: 'B', value: 'b', valueFrom: null }], $retainKeys: ['name', 'env', 'securityContext'] },
            { name: 'j', $setElementOrder$env: [{ name: 'Y' }, { name: 'X' }], env: [{ name: 'Y' }, { name: 'X' }], $deleteFromPrimitiveList$args: ['q'] },
          ],
          tolerations: [{ key: 'a', operator: null }],
        },
      },
      want: podWith({
        containers: [c('a')],
        securityContext: { runAsNonRoot: true },
        initContainers: [{ name: 'i', env: [{ name: 'B', value: 'b' }] }, { name: 'j', env: [{ name: 'Y' }, { name: 'X' }] }],
        tolerations: [{ key: 'a' }],
      }),
    },
    {
      name: 'an empty patch changes nothing',
      original: podWith({ containers: [c('a')] }),
      patch: {},
      want: podWith({ containers: [c('a')] }),
    },
    {
      name: 'keys named like $schema or $ref (JSON schema in CRDs) are ordinary fields',
      meta: unknownPatchMeta,
      original: { spec: { schema: { $schema: 'a' } } },
      patch: { spec: { schema: { $ref: '#/x' } } },
      want: { spec: { schema: { $schema: 'a', $ref: '#/x' } } },
    },
  ];

  for (const tc of cases) {
    it(tc.name, () => {
      // Object literal keys cannot hold "/" readably, so "$directive$field" stands for "$directive/field".
      const patch = deepFreeze(JSON.parse(JSON.stringify(tc.patch).replace(/"\$(setElementOrder|deleteFromPrimitiveList)\$/g, '"$$$1/')) as Record<string, unknown>);
      const original = deepFreeze(structuredClone(tc.original));
      const got = applyStrategicMergePatch(original, patch, tc.meta ?? podMeta);
      expect(got).to.deep.equal(tc.want);
      expect(directivesIn(got)).to.deep.equal([]);
      expect(original).to.deep.equal(tc.original);
      expect(sharesObjects(got, original), 'shares objects with the original').to.equal(false);
      expect(sharesObjects(got, patch), 'shares objects with the patch').to.equal(false);
    });
  }

  it('matches what kubectl apply users see, byte for byte, for the canonical image change', () => {
    const original = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 1, template: { spec: { containers: [{ name: 'c', image: 'web:1' }] } } },
    };
    const patch = JSON.parse('{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"c"}],"containers":[{"image":"web:2","name":"c"}]}}}}') as unknown;
    expect(JSON.stringify(applyStrategicMergePatch(original, patch, deploymentMeta))).to.equal(
      '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"c","image":"web:2"}]}}}}',
    );
  });

  const invalid: Array<{ name: string; patch: unknown; message: RegExp }> = [
    { name: 'a patch that is not an object', patch: [1], message: /must be a JSON object/ },
    { name: 'a bad $patch value on a map', patch: { spec: { securityContext: { $patch: 'explode' } } }, message: /spec.securityContext: invalid \$patch directive "explode"/ },
    { name: 'a bad $patch value in a list item', patch: { spec: { containers: [{ name: 'a', $patch: 'explode' }] } }, message: /spec.containers\[0\]: invalid \$patch directive/ },
    { name: '$patch: merge on a list item', patch: { spec: { containers: [{ name: 'a', $patch: 'merge' }] } }, message: /cannot be used on a list item/ },
    { name: '$patch: delete without the merge key', patch: { spec: { containers: [{ $patch: 'delete' }] } }, message: /does not contain the merge key "name"/ },
    { name: '$patch: delete in a scalar set', patch: { metadata: { finalizers: [{ $patch: 'delete' }] } }, message: /needs a list merged by key/ },
    { name: 'a merge-list item without its merge key', patch: { spec: { containers: [{ image: 'x' }] } }, message: /spec.containers: list item \{"image":"x"\} does not contain the merge key "name"/ },
    { name: '$setElementOrder that is not a list', patch: { spec: { '$setElementOrder/containers': { name: 'a' } } }, message: /must be a list/ },
    { name: '$setElementOrder items without the merge key', patch: { spec: { '$setElementOrder/containers': [{ image: 'a' }] } }, message: /items must be maps holding the merge key "name"/ },
    { name: '$setElementOrder that does not cover the patch list', patch: { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [c('b')] } }, message: /does not follow \$setElementOrder\/containers/ },
    { name: '$setElementOrder in another order than the patch list', patch: { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [c('b'), c('a')] } }, message: /out of order/ },
    { name: 'a directive key without a field', patch: { spec: { $setElementOrder: [] } }, message: /expected "\$setElementOrder\/<list field>"/ },
    { name: '$retainKeys that is not a list of names', patch: { spec: { $retainKeys: 'containers' } }, message: /\$retainKeys must be a list/ },
    { name: '$retainKeys missing a patched field', patch: { spec: { $retainKeys: ['containers'], nodeName: 'n' } }, message: /sets "nodeName", which is not in its \$retainKeys/ },
    { name: '$deleteFromPrimitiveList that is not a list', patch: { metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } }, message: /must be a list of scalar values/ },
    { name: 'a list of lists in a merge list', patch: { metadata: { finalizers: [['a']] } }, message: /lists of lists are not supported/ },
    { name: 'maps and scalars mixed in a merge list', patch: { metadata: { finalizers: [{ a: 1 }] } }, message: /element types are not identical/ },
  ];
  for (const tc of invalid) {
    it(`400: ${tc.name}`, () => {
      const original = podWith({ containers: [c('a')] }, { name: 'p', finalizers: ['x'] });
      expect(() => applyStrategicMergePatch(original, tc.patch, podMeta)).to.throw(BadRequestError, tc.message);
    });
  }

  it('refuses hostile nesting with a 400 instead of overflowing the stack', () => {
    for (const patch of [nested(10_000), { a: nested(10_000, 'array') }, { spec: { containers: [{ name: 'a', env: [{ name: 'e', valueFrom: nested(500) }] }] } }]) {
      expect(() => applyStrategicMergePatch({ spec: { containers: [c('a')] } }, patch, podMeta)).to.throw(BadRequestError, /nested deeper than the maximum of 100 levels/);
    }
  });

  it('merges long lists by key in linear-ish time', () => {
    const n = 20_000;
    const original = podWith({ containers: [c('a', { env: Array.from({ length: n }, (_, i) => ({ name: `E${i}`, value: 'x' })) })] });
    const patch = { spec: { containers: [{ name: 'a', env: Array.from({ length: n }, (_, i) => ({ name: `E${n - 1 - i}`, value: 'y' })) }] } };
    const started = Date.now();
    const got = applyStrategicMergePatch(original, patch, podMeta) as { spec: { containers: Array<{ env: Array<{ name: string; value: string }> }> } };
    expect(Date.now() - started).to.be.lessThan(2000);
    const env = got.spec.containers[0].env;
    expect(env).to.have.length(n);
    expect(env[0]).to.deep.equal({ name: `E${n - 1}`, value: 'y' });
  });

  it('treats __proto__ as an ordinary key', () => {
    const patch = JSON.parse('{"metadata":{"labels":{"__proto__":"x"}}}') as unknown;
    const got = applyStrategicMergePatch(podWith({ containers: [] }), patch, podMeta) as { metadata: { labels: object } };
    expect(Object.getPrototypeOf(got.metadata.labels)).to.equal(Object.prototype);
    expect(JSON.stringify(got.metadata.labels)).to.equal('{"__proto__":"x"}');
  });
});
