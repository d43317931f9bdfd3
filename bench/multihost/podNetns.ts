// A pod's network namespace, found the way an operator would on the host: the node agent's
// runtime (at <agent --root>/runtime, nodeagent/main.ts) pins every sandbox's namespace
// under netns/<sandbox id> and records the pod it belongs to in sandboxes/<id>/sandbox.json
// (nodeagent/runtime/layout.ts, records.ts).

import fs from 'node:fs';
import path from 'node:path';

/** The fields of a sandbox record this benchmark reads. */
interface SandboxRecordWire {
  state?: string;
  netnsPath?: string;
  config?: { metadata?: { uid?: string; name?: string; namespace?: string } };
}

/** The ready sandbox of the pod with `uid` on the host whose agent has --root `root`. */
export function podNetnsPath(root: string, uid: string): string {
  const dir = path.join(root, 'runtime', 'sandboxes');
  for (const id of fs.readdirSync(dir)) {
    let rec: SandboxRecordWire;
    try {
      rec = JSON.parse(fs.readFileSync(path.join(dir, id, 'sandbox.json'), 'utf8')) as SandboxRecordWire;
    } catch {
      continue; // being written or removed
    }
    if (rec.config?.metadata?.uid === uid && rec.state === 'ready' && rec.netnsPath) return rec.netnsPath;
  }
  throw new Error(`no ready sandbox of pod uid ${uid} under ${dir}`);
}
