// Bootstrappers and nodes may read CertificateSigningRequests, but only their own (the ones
// whose spec.username is theirs): a joining node waits for its certificate by name and
// learns nothing about anyone else's. Admins and controllers are not narrowed.

import { ForbiddenError } from '../../common/errors.js';
import { bootstrappersGroup } from '../../common/pki/bootstrapToken.js';
import type { RequestInfo } from '../http/requestInfo.js';
import type { UserInfo } from './tokens.js';

const narrowedGroups = [bootstrappersGroup, 'system:nodes'];
const readVerbs = new Set(['get', 'list', 'watch']);

/** The one name a field selector pins (`metadata.name=x`), or undefined. */
function selectedName(fieldSelector: string | null): string | undefined {
  if (!fieldSelector) return undefined;
  const m = /^metadata\.name==?([^,=!]+)$/.exec(fieldSelector.trim());
  return m?.[1];
}

/**
 * Throws Forbidden when a bootstrapper or node reads a CSR that is not its own, or lists
 * CSRs without naming one. `requester` is the CSR's spec.username (undefined: no such CSR).
 */
export function restrictCsrReads(user: UserInfo, info: RequestInfo, query: URLSearchParams, requester: (name: string) => string | undefined): void {
  if (info.kind !== 'resource' || info.group !== 'certificates.k8s.io' || info.resource !== 'certificatesigningrequests' || !readVerbs.has(info.verb)) return;
  if (user.groups.includes('system:masters') || !user.groups.some((g) => narrowedGroups.includes(g))) return;
  const name = info.name ?? selectedName(query.get('fieldSelector'));
  if (name === undefined) {
    throw new ForbiddenError(`certificatesigningrequests.certificates.k8s.io is forbidden: User "${user.name}" may only read its own CertificateSigningRequests: name one (fieldSelector=metadata.name=<name>)`, {
      resource: 'certificatesigningrequests',
      group: 'certificates.k8s.io',
    });
  }
  const owner = requester(name);
  if (owner !== undefined && owner !== user.name) {
    throw new ForbiddenError(`certificatesigningrequests.certificates.k8s.io "${name}" is forbidden: User "${user.name}" may only read its own CertificateSigningRequests`, {
      resource: 'certificatesigningrequests',
      group: 'certificates.k8s.io',
      name,
    });
  }
}
