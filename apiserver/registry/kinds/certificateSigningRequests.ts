// certificates.k8s.io/v1 CertificateSigningRequest, as Kubernetes serves it: the request is
// a PEM PKCS#10 whose self-signature must check out; who asked (spec.username, uid, groups)
// is written by the server from the authenticated requester, never taken from the body; the
// spec is immutable. Two subresources write status: `approval` may change only the
// Approved/Denied conditions (approvers), `status` everything else (signers: the
// certificate and Failed), and neither can take back an approval, a denial or a certificate.

import { isDeepStrictEqual } from 'node:util';
import { isObject, type KubeObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { CsrError, parseCsr } from '../../../common/pki/csr.js';
import { DerError, pemBlock } from '../../../common/pki/der.js';
import { knownUsages } from '../../../common/pki/signer.js';
import type { Requester, Strategy } from '../strategy.js';

const approvalTypes = new Set(['Approved', 'Denied']);
/** Conditions that, once there, are true for good (Kubernetes allows only status "True" for them). */
const finalTypes = new Set(['Approved', 'Denied', 'Failed']);
/** `example.com/signer-name`: a DNS subdomain, then a path. */
const signerNamePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)+$/;

interface Condition {
  type?: unknown;
  status?: unknown;
  [k: string]: unknown;
}

function specOf(obj: KubeObject): Record<string, unknown> {
  return isObject(obj.spec) ? obj.spec : (obj.spec = {});
}

function statusOf(obj: KubeObject): Record<string, unknown> {
  return isObject(obj.status) ? obj.status : (obj.status = {});
}

function conditionsOf(obj: KubeObject): Condition[] {
  const status = isObject(obj.status) ? obj.status : {};
  return Array.isArray(status.conditions) ? (status.conditions.filter(isObject) as Condition[]) : [];
}

function setConditions(obj: KubeObject, conditions: Condition[]): void {
  const status = statusOf(obj);
  if (conditions.length) status.conditions = conditions;
  else delete status.conditions;
}

const invalid = (field: string, message: string): FieldCause => ({ reason: 'FieldValueInvalid', message, field });
const required = (field: string): FieldCause => ({ reason: 'FieldValueRequired', message: 'Required value', field });

/** The request PEM from spec.request (base64 of the PEM in JSON). */
export function requestPem(obj: KubeObject): string | undefined {
  const req = specOf(obj).request;
  return typeof req === 'string' && req !== '' ? Buffer.from(req, 'base64').toString('utf8') : undefined;
}

function validateSpec(obj: KubeObject): FieldCause[] {
  const spec = specOf(obj);
  const causes: FieldCause[] = [];
  const pem = requestPem(obj);
  if (pem === undefined) causes.push(required('spec.request'));
  else {
    try {
      parseCsr(pem);
    } catch (e) {
      causes.push(invalid('spec.request', `Invalid value: "<request>": ${e instanceof CsrError ? e.message : String(e)}`));
    }
  }
  const signer = spec.signerName;
  if (typeof signer !== 'string' || signer === '') causes.push(required('spec.signerName'));
  else if (!signerNamePattern.test(signer) || signer.length > 571) causes.push(invalid('spec.signerName', `Invalid value: ${JSON.stringify(signer)}: must be a fully qualified domain and path of the form 'example.com/signer-name'`));
  else if (signer === 'kubernetes.io/legacy-unknown') causes.push(invalid('spec.signerName', `Invalid value: ${JSON.stringify(signer)}: the legacy signerName is not allowed via this API version`));
  const usages = Array.isArray(spec.usages) ? spec.usages : [];
  if (usages.length === 0) causes.push(required('spec.usages'));
  const seen = new Set<unknown>();
  usages.forEach((u, i) => {
    if (typeof u !== 'string' || !knownUsages.includes(u)) causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(u)}: supported values: ${knownUsages.map((k) => JSON.stringify(k)).join(', ')}`, field: `spec.usages[${i}]` });
    else if (seen.has(u)) causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(u)}`, field: `spec.usages[${i}]` });
    seen.add(u);
  });
  if (spec.expirationSeconds !== undefined && (typeof spec.expirationSeconds !== 'number' || spec.expirationSeconds < 600)) {
    causes.push(invalid('spec.expirationSeconds', `Invalid value: ${JSON.stringify(spec.expirationSeconds)}: may not specify a duration less than 600 seconds (10 minutes)`));
  }
  return causes;
}

function validateStatus(obj: KubeObject): FieldCause[] {
  const causes: FieldCause[] = [];
  const types = new Set<string>();
  conditionsOf(obj).forEach((c, i) => {
    const field = `status.conditions[${i}]`;
    if (typeof c.type !== 'string' || c.type === '') return causes.push(required(`${field}.type`));
    if (finalTypes.has(c.type)) {
      if (types.has(c.type)) causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(c.type)}`, field: `${field}.type` });
      if (c.status !== 'True') causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(c.status ?? '')}: supported values: "True"`, field: `${field}.status` });
    } else if (c.status !== 'True' && c.status !== 'False' && c.status !== 'Unknown') {
      causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(c.status ?? '')}: supported values: "True", "False", "Unknown"`, field: `${field}.status` });
    }
    types.add(c.type);
    return undefined;
  });
  if (types.has('Approved') && types.has('Denied')) causes.push(invalid('status.conditions', 'Invalid value: Approved and Denied conditions are mutually exclusive'));
  const cert = statusOf(obj).certificate;
  if (cert !== undefined && cert !== '') {
    if (typeof cert !== 'string') causes.push(invalid('status.certificate', 'Invalid value: must be base64 of PEM certificates'));
    else {
      try {
        pemBlock(Buffer.from(cert, 'base64').toString('utf8'), ['CERTIFICATE']);
      } catch (e) {
        causes.push(invalid('status.certificate', `Invalid value: "<certificate data>": ${e instanceof DerError ? e.message : String(e)}`));
      }
    }
  }
  return causes;
}

export const certificateSigningRequestStrategy: Strategy = {
  hasStatus: true,
  tracksGeneration: false,
  prepareForCreate(obj: KubeObject, requester?: Requester) {
    obj.status = {};
    const spec = specOf(obj);
    // Who asked is the server's to say (an approver trusts it), whatever the body claims.
    delete spec.username;
    delete spec.uid;
    delete spec.groups;
    delete spec.extra;
    if (requester) {
      spec.username = requester.name;
      if (requester.uid) spec.uid = requester.uid;
      if (requester.groups.length) spec.groups = [...requester.groups];
    }
  },
  validate: (obj) => [...validateSpec(obj), ...validateStatus(obj)],
  validateUpdate(obj, old) {
    const causes: FieldCause[] = [];
    if (!isDeepStrictEqual(obj.spec, old.spec)) causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: spec is immutable', field: 'spec' });
    const now = new Set(conditionsOf(obj).map((c) => c.type));
    for (const c of conditionsOf(old)) {
      if (typeof c.type === 'string' && finalTypes.has(c.type) && !now.has(c.type)) {
        causes.push({ reason: 'FieldValueForbidden', message: `Forbidden: updates may not remove a condition of type ${JSON.stringify(c.type)}`, field: 'status.conditions' });
      }
    }
    const oldCert = isObject(old.status) ? old.status.certificate : undefined;
    if (typeof oldCert === 'string' && oldCert !== '' && statusOf(obj).certificate !== oldCert) {
      causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: updates may not modify existing certificate content', field: 'status.certificate' });
    }
    return causes;
  },
  prepareForSubresourceUpdate(subresource, obj, old) {
    const mine = (c: Condition): boolean => typeof c.type === 'string' && approvalTypes.has(c.type);
    if (subresource === 'approval') {
      // Approvers decide; the signer's certificate and Failed stay as they were.
      setConditions(obj, [...conditionsOf(old).filter((c) => !mine(c)), ...conditionsOf(obj).filter(mine)]);
      const oldStatus = isObject(old.status) ? old.status : {};
      const status = statusOf(obj);
      if (oldStatus.certificate === undefined) delete status.certificate;
      else status.certificate = oldStatus.certificate;
    } else {
      // A signer cannot approve or deny.
      setConditions(obj, [...conditionsOf(obj).filter((c) => !mine(c)), ...conditionsOf(old).filter(mine)]);
    }
  },
};
