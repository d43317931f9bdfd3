// A stand-in node agent for the restart tests, run as its own process: it opens the runtime
// over a given root, starts a pod with the given containers, prints their ids as one JSON
// line and then idles until it is killed (kill -9, as a crash would).
//
// argv[2]: JSON { root, layersDir, bridge, subnet, networkName, cgroupRoot, logDir, commands: string[][] }

import path from 'node:path';
import { RuncRuntime } from '../runtime.js';
import { BusyboxLayers } from './busyboxLayers.js';

interface Args {
  root: string;
  layersDir: string;
  bridge: string;
  subnet: string;
  networkName: string;
  cgroupRoot: string;
  logDir: string;
  commands: string[][];
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const rt = await RuncRuntime.open({
  root: args.root,
  imageLayers: BusyboxLayers.create(args.layersDir),
  network: { bridge: args.bridge, subnet: args.subnet, name: args.networkName, ipMasq: false },
  cgroupRoot: args.cgroupRoot,
});
const sandboxConfig = {
  metadata: { name: 'crashy-agent', uid: 'crashy-agent-uid', namespace: 'default', attempt: 0 },
  hostname: 'crashy-agent',
  logDirectory: path.join(args.logDir, 'crashy-agent'),
};
const sandboxId = await rt.runPodSandbox(sandboxConfig);
const containerIds: string[] = [];
for (const [i, command] of args.commands.entries()) {
  const id = await rt.createContainer(sandboxId, { metadata: { name: `c${i}`, attempt: 0 }, image: { image: 'busybox' }, command, logPath: `c${i}.log` }, sandboxConfig);
  await rt.startContainer(id);
  containerIds.push(id);
}
process.stdout.write(JSON.stringify({ sandboxId, containerIds }) + '\n');
setInterval(() => undefined, 60_000);
