// Removes what a killed test or benchmark process left: `npx tsx nodeagent/runtime/testing/cleanupLeftovers.ts /tmp/gantry-xyz-AbC123 ...`
// (the temp roots of its environments). Prints what it had to remove.

import { cleanupLeftovers } from './testEnv.js';

const problems = await cleanupLeftovers(process.argv.slice(2));
process.stdout.write(problems.length ? problems.join('\n') + '\n' : 'nothing left\n');
