import { expect } from 'chai';
import type { KubeObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { storageClassStrategy } from './storageClasses.js';

type Obj = Record<string, unknown>;

function admit(fields: Obj): { sc: KubeObject; causes: FieldCause[] } {
  const sc = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local-path' }, ...structuredClone(fields) } as KubeObject;
  storageClassStrategy.defaults!(sc);
  return { sc, causes: storageClassStrategy.validate!(sc) };
}
const paths = (causes: FieldCause[]): string[] => causes.map((c) => `${c.field}: ${c.message}`);

describe('storageclass strategy', () => {
  it('defaults: Delete, Immediate; allowVolumeExpansion left unset', () => {
    const { sc, causes } = admit({ provisioner: 'gantry.dev/local-path' });
    expect(causes).to.deep.equal([]);
    expect(sc).to.deep.include({ reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });
    expect(sc).to.not.have.property('allowVolumeExpansion');
  });

  const cases: { name: string; fields: Obj; want: string[] }[] = [
    { name: 'no provisioner', fields: {}, want: ['provisioner: Required value'] },
    { name: 'a provisioner that is no qualified name', fields: { provisioner: 'a b' }, want: ['provisioner: Invalid value: "a b": the name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character'] },
    { name: 'Recycle is not a class\'s policy', fields: { provisioner: 'p', reclaimPolicy: 'Recycle' }, want: ['reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"'] },
    { name: 'an unknown binding mode', fields: { provisioner: 'p', volumeBindingMode: 'Later' }, want: ['volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"'] },
    { name: 'an empty parameter name', fields: { provisioner: 'p', parameters: { '': 'x' } }, want: ['parameters: Invalid value: "": field can not be empty.'] },
    { name: 'parameters over 256 KiB', fields: { provisioner: 'p', parameters: { big: 'x'.repeat(262_144) } }, want: ['parameters: Too long: may not be more than 262144 bytes'] },
    { name: 'WaitForFirstConsumer, Retain, expansion, mount options are fine', fields: { provisioner: 'gantry.dev/local-path', volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Retain', allowVolumeExpansion: true, mountOptions: ['noatime'] }, want: [] },
  ];
  for (const tc of cases) it(tc.name, () => expect(paths(admit(tc.fields).causes)).to.have.members(tc.want));

  describe('updates', () => {
    const old = admit({ provisioner: 'p', parameters: { a: '1' } }).sc;
    const update = (change: Obj): string[] => {
      const next = { ...structuredClone(old), ...change } as KubeObject;
      return paths(storageClassStrategy.validateUpdate!(next, old));
    };
    const ucases: { name: string; change: Obj; want: string[] }[] = [
      { name: 'expansion and mount options may change', change: { allowVolumeExpansion: true, mountOptions: ['ro'] }, want: [] },
      { name: 'the default-class annotation may change', change: { metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } }, want: [] },
      { name: 'parameters may not', change: { parameters: { a: '2' } }, want: ['parameters: Forbidden: updates to parameters are forbidden.'] },
      { name: 'the provisioner may not', change: { provisioner: 'q' }, want: ['provisioner: Forbidden: updates to provisioner are forbidden.'] },
      { name: 'the reclaim policy may not', change: { reclaimPolicy: 'Retain' }, want: ['reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.'] },
      { name: 'the binding mode may not', change: { volumeBindingMode: 'WaitForFirstConsumer' }, want: ['volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable'] },
    ];
    for (const tc of ucases) it(tc.name, () => expect(update(tc.change)).to.deep.equal(tc.want));
  });
});
