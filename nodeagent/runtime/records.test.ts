import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAtomicTemp, readJsonFile, writeFileAtomic } from '../../common/atomicFile.js';
import { Layout, newId, isId } from './layout.js';
import { RecordStore, recordVersion, type ContainerRecord } from './records.js';

describe('records on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-records-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes atomically: the file is whole, no temporary file stays', async () => {
    const f = path.join(dir, 'x.json');
    await writeFileAtomic(f, JSON.stringify({ a: 1 }));
    await writeFileAtomic(f, JSON.stringify({ a: 2 }));
    expect(await readJsonFile(f)).to.deep.equal({ a: 2 });
    expect(fs.readdirSync(dir)).to.deep.equal(['x.json']);
    expect(await readJsonFile(path.join(dir, 'missing.json'))).to.equal(undefined);
    expect(isAtomicTemp('.x.json.tmp-123-0a1b2c3d')).to.equal(true);
    expect(isAtomicTemp('x.json')).to.equal(false);
  });

  it('loads valid records and reports directories without one', async () => {
    const layout = new Layout(dir);
    const store = new RecordStore(layout);
    const id = newId();
    expect(isId(id)).to.equal(true);
    const rec: ContainerRecord = {
      kind: 'container',
      version: recordVersion,
      id,
      sandboxId: newId(),
      config: { metadata: { name: 'c', attempt: 0 }, image: { image: 'busybox' }, logPath: 'c.log' },
      imageRef: 'sha256:x',
      createdAt: 1,
      state: 'created',
      logPath: '/logs/c.log',
      cgroupsPath: '/gantry/p/c',
    };
    await store.saveContainer(rec);
    const corrupt = newId();
    fs.mkdirSync(path.join(layout.containersDir, corrupt), { recursive: true });
    fs.writeFileSync(layout.containerRecord(corrupt), '{not json');
    const empty = newId();
    fs.mkdirSync(path.join(layout.containersDir, empty));
    fs.mkdirSync(path.join(layout.containersDir, 'not-an-id'));
    const loaded = await store.loadContainers();
    expect(loaded.records).to.deep.equal([rec]);
    expect(loaded.unowned.sort()).to.deep.equal([corrupt, empty, 'not-an-id'].sort());
  });

  it('refuses ids that are not its own before they become paths', () => {
    const layout = new Layout(dir);
    for (const bad of ['../etc', 'ABC', 'a'.repeat(31), '']) expect(() => layout.containerDir(bad)).to.throw(/invalid/);
  });
});
