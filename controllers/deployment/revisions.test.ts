import { expect } from 'chai';
import { deployment, replicaSet } from './fixtures.js';
import { maxRevision, replicaSetsToCleanUp, revisionOf, setNewReplicaSetAnnotations } from './revisions.js';
import { autoRollbackTarget, rollbackTo } from './rollback.js';
import { annotations, wasAvailableLabel } from './types.js';

describe('deployment revisions and rollback', () => {
  it('revisions: max over ReplicaSets, unreadable ones count 0', () => {
    const bad = replicaSet('x');
    bad.metadata.annotations![annotations.revision] = 'seven';
    expect(revisionOf(bad)).to.equal(0);
    expect(maxRevision([replicaSet('a', { revision: 2 }), replicaSet('b', { revision: 5 }), bad])).to.equal(5);
  });

  const annotate: { name: string; existing?: number; history?: string; newRevision: number; exists: boolean; wantRevision: string; wantHistory?: string }[] = [
    { name: 'a new ReplicaSet gets the revision and replica annotations', newRevision: 1, exists: false, wantRevision: '1' },
    { name: 'rolled back to: revision max+1, its old number joins the history', existing: 2, newRevision: 4, exists: true, wantRevision: '4', wantHistory: '2' },
    { name: 'history grows', existing: 4, history: '2', newRevision: 6, exists: true, wantRevision: '6', wantHistory: '2,4' },
    { name: 'a higher revision than offered is kept', existing: 7, newRevision: 5, exists: true, wantRevision: '7' },
  ];
  for (const tc of annotate) {
    it(tc.name, () => {
      const d = deployment({ replicas: 4, maxSurge: 1, annotations: { [annotations.changeCause]: 'why', [annotations.lastAppliedConfig]: '{}', [annotations.revision]: '3' } });
      const rs = replicaSet('r', tc.existing !== undefined ? { revision: tc.existing } : {});
      if (tc.history) rs.metadata.annotations![annotations.revisionHistory] = tc.history;
      const changed = setNewReplicaSetAnnotations(d, rs, tc.newRevision, tc.exists, { desired: 4, max: 5 });
      expect(changed).to.equal(true);
      const ann = rs.metadata.annotations!;
      expect(ann[annotations.revision]).to.equal(tc.wantRevision);
      expect(ann[annotations.revisionHistory]).to.equal(tc.wantHistory);
      expect(ann[annotations.changeCause], 'change-cause follows the Deployment').to.equal('why');
      expect(ann[annotations.lastAppliedConfig], 'kubectl apply bookkeeping does not').to.equal(undefined);
      if (!tc.exists) expect([ann[annotations.desiredReplicas], ann[annotations.maxReplicas]]).to.deep.equal(['4', '5']);
    });
  }

  it('revision history stays within 2000 characters, dropping the oldest', () => {
    const rs = replicaSet('r', { revision: 99999 });
    rs.metadata.annotations![annotations.revisionHistory] = Array.from({ length: 400 }, (_, i) => String(10000 + i)).join(',');
    setNewReplicaSetAnnotations(deployment(), rs, 100000, true, { desired: 3, max: 4 });
    const h = rs.metadata.annotations![annotations.revisionHistory]!;
    expect(h.length).to.be.at.most(2000);
    expect(h.endsWith(',99999')).to.equal(true);
    expect(h.startsWith('10000,')).to.equal(false);
  });

  it('revisionHistoryLimit deletes the lowest revisions that are empty and settled', () => {
    const d = deployment({ revisionHistoryLimit: 1 });
    const olds = [
      replicaSet('r1', { revision: 1 }),
      replicaSet('r2', { revision: 2, replicas: 1 }), // still has pods: kept
      replicaSet('r3', { revision: 3, generation: 2, observedGeneration: 1 }), // not settled: kept
      replicaSet('r4', { revision: 4 }),
    ];
    expect(replicaSetsToCleanUp(d, olds).map((rs) => rs.metadata.name)).to.deep.equal(['r1']);
    expect(replicaSetsToCleanUp(deployment({ revisionHistoryLimit: 0 }), [replicaSet('a', { revision: 1 }), replicaSet('b', { revision: 2 })]).map((r) => r.metadata.name)).to.deep.equal(['a', 'b']);
    expect(replicaSetsToCleanUp(deployment({ revisionHistoryLimit: 10 }), olds)).to.deep.equal([]);
  });

  it('rollbackTo writes what kubectl rollout undo writes', () => {
    const d = deployment({ annotations: { [annotations.revision]: '3', [annotations.changeCause]: 'v3', 'team': 'a', [annotations.autoRollback]: 'true' } });
    const rs = replicaSet('old', { revision: 1, image: 'web:1' });
    rs.metadata.annotations![annotations.changeCause] = 'v1';
    const r = rollbackTo(d, rs);
    expect(r.template.metadata?.labels).to.deep.equal({ app: 'web' });
    expect((r.template.spec?.containers as { image: string }[])[0]!.image).to.equal('web:1');
    expect(r.annotations).to.deep.equal({ [annotations.revision]: '3', [annotations.changeCause]: 'v1', [annotations.autoRollback]: 'true' });
  });

  const targets: { name: string; newAvailable: boolean; olds: { name: string; revision: number; available: boolean }[]; want?: string }[] = [
    { name: 'the newest revision that became available', newAvailable: false, olds: [{ name: 'a', revision: 1, available: true }, { name: 'b', revision: 2, available: true }, { name: 'c', revision: 3, available: false }], want: 'b' },
    { name: 'none ever became available: no rollback', newAvailable: false, olds: [{ name: 'a', revision: 1, available: false }] },
    { name: 'the failing revision once completed: no rollback (the revision is not what broke)', newAvailable: true, olds: [{ name: 'a', revision: 1, available: true }] },
  ];
  for (const tc of targets) {
    it(`automatic rollback target: ${tc.name}`, () => {
      const mark = (name: string, revision: number, available: boolean): ReturnType<typeof replicaSet> => replicaSet(name, { revision, labels: available ? { [wasAvailableLabel]: 'true' } : {} });
      const newRS = mark('new', 9, tc.newAvailable);
      expect(autoRollbackTarget(newRS, tc.olds.map((o) => mark(o.name, o.revision, o.available)))?.metadata.name).to.equal(tc.want);
    });
  }
});
