// How to run a Gantry component as its own process, from the compiled tree (dist/) or,
// in tests that run from source, through tsx.

import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The tree this file lives in: the repo root (from source) or dist/ (compiled). */
const treeRoot = path.resolve(here, '..', '..');

export function componentCommand(relativeMain: string): { command: string; args: string[] } {
  const js = path.join(treeRoot, relativeMain + '.js');
  if (fs.existsSync(js)) return { command: process.execPath, args: [js] };
  const ts = path.join(treeRoot, relativeMain + '.ts');
  if (fs.existsSync(ts)) return { command: process.execPath, args: ['--import', 'tsx', ts] };
  throw new Error(`cannot find ${relativeMain} under ${treeRoot}; run npm run build`);
}
