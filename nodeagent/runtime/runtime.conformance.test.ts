// The shared RuntimeService suite against the runc runtime, as root with the real tools.

import path from 'node:path';
import { runtimeConformance } from '../cri/conformance.js';
import { makeRuncTestEnv } from './testing/testEnv.js';

runtimeConformance('runc under conmon', async () => {
  const env = await makeRuncTestEnv('conf');
  return {
    runtime: await env.open(),
    image: 'busybox',
    logDirectory: path.join(env.root, 'logs'),
    reopen: () => env.open(),
    cleanup: () => env.cleanup(),
  };
});
