// The shared RuntimeService suite against the simulated runtime: no root, no processes.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runtimeConformance } from '../cri/conformance.js';
import { SimulatedHost } from './host.js';
import { SimulatedImageService } from './imageService.js';
import { SimulatedRuntime } from './runtime.js';

runtimeConformance('simulated', async () => {
  const logDirectory = await fs.mkdtemp(path.join(os.tmpdir(), 'gantry-simulated-conf-'));
  const host = new SimulatedHost({ podSubnet: '10.250.0.0/24' });
  await new SimulatedImageService(host).pullImage({ image: 'busybox' });
  return {
    runtime: new SimulatedRuntime(host),
    image: 'busybox',
    logDirectory,
    reopen: async () => new SimulatedRuntime(host),
    cleanup: async () => {
      const forced = [...host.sandboxes.keys()].map((id) => `sandbox ${id}`);
      const rt = new SimulatedRuntime(host);
      for (const s of await rt.listPodSandbox()) await rt.removePodSandbox(s.id);
      await fs.rm(logDirectory, { recursive: true, force: true });
      return forced;
    },
  };
});
