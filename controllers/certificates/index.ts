// The certificate controllers' factories, as registry.ts lists them.
//   csrapproving: no options.
//   csrsigning (`controllerOptions.csrsigning`, or the flags --cluster-signing-cert-file and
//   --cluster-signing-key-file as kube-controller-manager has them): certFile, keyFile (the
//   cluster CA, $GANTRY_HOME/pki/ca.crt and ca.key under `gantry up`), durationSeconds (the
//   longest certificate issued; default one year, as --cluster-signing-duration).

import fs from 'node:fs';
import { loadSigningCA, type SigningCA } from '../../common/pki/signer.js';
import type { ControllerFactory } from '../context.js';
import { controllerOptions, optionsError } from '../options.js';
import { CsrApprovingController, CsrSigningController } from './controllers.js';

export const defaultSigningDurationSeconds = 365 * 24 * 60 * 60;

const signingOptions = controllerOptions<{ certFile: string; keyFile: string; durationSeconds: number }>('csrsigning', {
  certFile: { type: 'string', minLength: 1 },
  keyFile: { type: 'string', minLength: 1 },
  durationSeconds: { type: 'integer', minimum: 600 },
});

/** No settings; still checked, so a typo in `controllerOptions.csrapproving` fails instead of being ignored. */
const approvingOptions = controllerOptions<Record<string, never>>('csrapproving', {});

export const csrApprovingControllerFactory: ControllerFactory = (ctx) => {
  approvingOptions(ctx.options);
  return new CsrApprovingController({ api: ctx.api, events: ctx.recorder('certificate-controller'), logger: ctx.logger, clock: ctx.clock }).registration();
};

export const csrSigningControllerFactory: ControllerFactory = (ctx) => {
  const o = signingOptions(ctx.options);
  if ((o.certFile === undefined) !== (o.keyFile === undefined)) throw optionsError('csrsigning', 'certFile and keyFile go together');
  let ca: SigningCA | undefined;
  if (o.certFile && o.keyFile) {
    try {
      ca = loadSigningCA(fs.readFileSync(o.certFile, 'utf8'), fs.readFileSync(o.keyFile, 'utf8'));
    } catch (e) {
      throw optionsError('csrsigning', `cannot load the signing CA (${o.certFile}, ${o.keyFile}): ${(e as Error).message}`, e);
    }
  }
  return new CsrSigningController({ api: ctx.api, events: ctx.recorder('certificate-controller'), logger: ctx.logger, clock: ctx.clock, ca, durationMs: (o.durationSeconds ?? defaultSigningDurationSeconds) * 1000 }).registration();
};
