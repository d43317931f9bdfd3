// The CertificateSigningRequest as the certificate controllers read it, and the signers
// they serve (Kubernetes' well-known kubelet signers).

import type { KubeObject } from '../../common/api/meta.js';
import { resourceFor } from '../../common/api/resources.js';

export const csrResource = resourceFor('CertificateSigningRequest', 'certificates.k8s.io');

export { apiServerClientSigner, kubeletClientSigner, kubeletServingSigner } from '../../common/pki/signers.js';

export interface CsrCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface Csr extends KubeObject {
  spec?: {
    request?: string;
    signerName?: string;
    usages?: string[];
    username?: string;
    uid?: string;
    groups?: string[];
    expirationSeconds?: number;
  };
  status?: {
    conditions?: CsrCondition[];
    certificate?: string;
  };
}

export function hasCondition(csr: Csr, type: string): boolean {
  return (csr.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** Decided already: approved, denied, failed or issued. */
export function isFinished(csr: Csr): boolean {
  return hasCondition(csr, 'Denied') || hasCondition(csr, 'Failed') || !!csr.status?.certificate;
}

export function requestPem(csr: Csr): string {
  return Buffer.from(csr.spec?.request ?? '', 'base64').toString('utf8');
}
