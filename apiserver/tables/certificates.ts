// `kubectl get csr`: Kubernetes' columns NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION.

import type { V1CertificateSigningRequest } from '@kubernetes/client-node';
import type { KubeObject } from '../../common/api/meta.js';
import { humanDuration } from '../../common/duration.js';
import { age, ageColumn, as, nameColumn, nameOf } from './cells.js';
import { column, templatePrinter } from './types.js';
import type { TemplateCell } from './timed.js';

/** Pending, Approved or Denied, then Failed and Issued when they apply (Kubernetes' order). */
export function csrCondition(csr: V1CertificateSigningRequest): string {
  const types = new Set((csr.status?.conditions ?? []).map((c) => c.type));
  let out = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) out += ',Failed';
  if (csr.status?.certificate) out += ',Issued';
  return out;
}

export const certificateSigningRequestPrinter = templatePrinter({
  columns: [
    nameColumn,
    ageColumn,
    column('SignerName', 'string', 'The signer the request is for.'),
    column('Requestor', 'string', 'The user that created the request.'),
    column('RequestedDuration', 'string', 'How long the issued certificate should be valid (spec.expirationSeconds).'),
    column('Condition', 'string', 'Pending, Approved or Denied; Failed and Issued when they apply.'),
  ],
  template(obj: KubeObject): TemplateCell[] {
    const csr = as<V1CertificateSigningRequest>(obj);
    const seconds = csr.spec?.expirationSeconds;
    return [nameOf(obj), age(obj), csr.spec?.signerName ?? '', csr.spec?.username ?? '', typeof seconds === 'number' ? humanDuration(seconds * 1000) : '<none>', csrCondition(csr)];
  },
});
