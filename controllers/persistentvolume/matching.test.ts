import { expect } from 'chai';
import { claim, node, volume } from './fixtures.js';
import { findBestMatch, volumeMismatch, type MatchOptions } from './matching.js';
import type { PersistentVolume, PersistentVolumeClaim } from './types.js';

describe('persistentvolume matching: findBestMatch', () => {
  const immediate: MatchOptions = { delayBinding: false };
  const cases: { name: string; claim: PersistentVolumeClaim; volumes: PersistentVolume[]; opts?: MatchOptions; want: string | undefined }[] = [
    { name: 'the only fitting volume', claim: claim('c'), volumes: [volume('a')], want: 'a' },
    { name: 'none at all', claim: claim('c'), volumes: [], want: undefined },
    { name: 'the smallest that is big enough', claim: claim('c', { size: '2Gi' }), volumes: [volume('big', { size: '10Gi' }), volume('small', { size: '1Gi' }), volume('fit', { size: '3Gi' })], want: 'fit' },
    { name: 'capacity equal to the request fits (units compared as quantities)', claim: claim('c', { size: '1024Mi' }), volumes: [volume('a', { size: '1Gi' })], want: 'a' },
    { name: 'too small', claim: claim('c', { size: '2G' }), volumes: [volume('a', { size: '1Gi' })], want: undefined },
    { name: 'class must be equal', claim: claim('c', { className: 'fast' }), volumes: [volume('slow', { className: 'slow' }), volume('none')], want: undefined },
    { name: 'class equal', claim: claim('c', { className: 'fast' }), volumes: [volume('none'), volume('fast', { className: 'fast' })], want: 'fast' },
    { name: 'a claim without class takes only a volume without class', claim: claim('c'), volumes: [volume('fast', { className: 'fast' })], want: undefined },
    { name: 'access modes must be a superset', claim: claim('c', { modes: ['ReadWriteMany'] }), volumes: [volume('rwo'), volume('rwx', { modes: ['ReadWriteOnce', 'ReadWriteMany'] })], want: 'rwx' },
    { name: 'fewest access modes before smallest size', claim: claim('c'), volumes: [volume('many', { modes: ['ReadWriteOnce', 'ReadOnlyMany'], size: '1Gi' }), volume('one', { size: '5Gi' })], want: 'one' },
    { name: 'volumeMode must be equal', claim: claim('c', { volumeMode: 'Block' }), volumes: [volume('fs'), volume('blk', { volumeMode: 'Block' })], want: 'blk' },
    { name: 'volumeMode default Filesystem on both sides', claim: claim('c', { volumeMode: 'Filesystem' }), volumes: [volume('fs')], want: 'fs' },
    { name: 'selector matches labels', claim: claim('c', { selector: { matchLabels: { tier: 'gold' } } }), volumes: [volume('plain'), volume('gold', { labels: { tier: 'gold' } })], want: 'gold' },
    { name: 'selector with expressions', claim: claim('c', { selector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['gold'] }] } }), volumes: [volume('gold', { labels: { tier: 'gold' } }), volume('x', { size: '2Gi' })], want: 'x' },
    { name: 'a volume bound to another claim is skipped', claim: claim('c'), volumes: [volume('taken', { claimRef: { namespace: 'ns', name: 'other', uid: 'u2' }, phase: 'Bound' })], want: undefined },
    { name: 'a volume pre-bound to this claim wins over a smaller free one', claim: claim('c'), volumes: [volume('free'), volume('mine', { size: '5Gi', claimRef: { namespace: 'ns', name: 'c' }, phase: 'Available' })], want: 'mine' },
    { name: 'pre-bound ignores class and phase', claim: claim('c', { className: 'x' }), volumes: [volume('mine', { className: 'y', claimRef: { namespace: 'ns', name: 'c', uid: 'uid-c' }, phase: 'Pending' })], want: 'mine' },
    { name: 'pre-bound to a claim of the same name with another uid is not this claim', claim: claim('c'), volumes: [volume('old', { claimRef: { namespace: 'ns', name: 'c', uid: 'gone' } })], want: undefined },
    { name: 'pre-bound still needs the capacity', claim: claim('c', { size: '5Gi' }), volumes: [volume('mine', { claimRef: { namespace: 'ns', name: 'c' } })], want: undefined },
    { name: 'not Available (Pending, Released) is skipped', claim: claim('c'), volumes: [volume('p', { phase: 'Pending' }), volume('r', { phase: 'Released' })], want: undefined },
    { name: 'a volume being deleted is skipped', claim: claim('c'), volumes: [{ ...volume('d'), metadata: { ...volume('d').metadata, deletionTimestamp: '2026-12-07T12:00:00Z' } }], want: undefined },
    { name: 'equal candidates: by name', claim: claim('c'), volumes: [volume('b'), volume('a')], want: 'a' },
    { name: 'delayed binding without a node: only pre-bound', claim: claim('c'), volumes: [volume('free')], opts: { delayBinding: true }, want: undefined },
    { name: 'delayed binding without a node: the pre-bound one', claim: claim('c'), volumes: [volume('free'), volume('mine', { claimRef: { namespace: 'ns', name: 'c' } })], opts: { delayBinding: true }, want: 'mine' },
    { name: 'delayed binding with a node: affinity must admit it', claim: claim('c'), volumes: [volume('n1', { hostname: 'n1' }), volume('n2', { hostname: 'n2', size: '2Gi' })], opts: { delayBinding: true, node: node('n2') }, want: 'n2' },
    { name: 'delayed binding with a node: no affinity admits every node', claim: claim('c'), volumes: [volume('any')], opts: { delayBinding: true, node: node('n2') }, want: 'any' },
    { name: 'delayed binding with a node: none there', claim: claim('c'), volumes: [volume('n1', { hostname: 'n1' })], opts: { delayBinding: true, node: node('n2') }, want: undefined },
  ];
  for (const tc of cases) it(tc.name, () => expect(findBestMatch(tc.claim, tc.volumes, tc.opts ?? immediate)?.metadata.name).to.equal(tc.want));
});

describe('persistentvolume matching: volumeMismatch (a claim naming its volume)', () => {
  const cases: { name: string; v: PersistentVolume; c: PersistentVolumeClaim; want: string | undefined }[] = [
    { name: 'fits', v: volume('a', { size: '2Gi' }), c: claim('c'), want: undefined },
    { name: 'too small', v: volume('a'), c: claim('c', { size: '3Gi' }), want: 'requested PV is too small' },
    { name: 'class', v: volume('a', { className: 'x' }), c: claim('c', { className: 'y' }), want: 'storageClassName does not match' },
    { name: 'volumeMode', v: volume('a', { volumeMode: 'Block' }), c: claim('c'), want: 'incompatible volumeMode' },
    { name: 'access modes', v: volume('a'), c: claim('c', { modes: ['ReadOnlyMany'] }), want: 'incompatible accessMode' },
    { name: 'the selector does not matter when named', v: volume('a'), c: claim('c', { selector: { matchLabels: { x: 'y' } } }), want: undefined },
  ];
  for (const tc of cases) it(tc.name, () => expect(volumeMismatch(tc.v, tc.c)).to.equal(tc.want));
});
