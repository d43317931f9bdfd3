// A body's apiVersion and kind against the endpoint's. A body of another kind is worded as
// kube-apiserver words it (its codec decodes the body's kind, then fails to convert it to the
// endpoint's internal type):
//   ConfigMap in version "v1" cannot be handled as a Namespace: converting (v1.ConfigMap) to (core.Namespace): unknown conversion
// The same words for JSON, YAML and protobuf bodies: scripts match on them.

import { apiVersionOf, parseApiVersion } from '../../common/api/meta.js';
import { groupPackage } from '../../common/api/resources.js';
import { BadRequestError, type FieldCause } from '../../common/errors.js';

export interface BodyVersionKind {
  version: string;
  kind: string;
}

export function cannotBeHandledAs(body: BodyVersionKind, expectedKind: string, why: string, causes?: FieldCause[]): BadRequestError {
  return new BadRequestError(`${body.kind} in version ${JSON.stringify(body.version)} cannot be handled as a ${expectedKind}: ${why}`, causes);
}

export function kindMismatch(body: BodyVersionKind, expected: { group: string; kind: string }): BadRequestError {
  return cannotBeHandledAs(body, expected.kind, `converting (${body.version}.${body.kind}) to (${groupPackage(expected.group)}.${expected.kind}): unknown conversion`);
}

/** Checks the apiVersion and kind a body states (either may be left out) against the endpoint's. */
export function checkTypeMeta(body: { apiVersion?: unknown; kind?: unknown }, expected: { group: string; version: string; kind: string }): void {
  const apiVersion = apiVersionOf(expected);
  if (body.apiVersion !== undefined && body.apiVersion !== apiVersion) {
    throw new BadRequestError(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${apiVersion})`);
  }
  if (body.kind !== undefined && body.kind !== expected.kind) {
    throw kindMismatch({ version: parseApiVersion(String(body.apiVersion ?? apiVersion)).version, kind: String(body.kind) }, expected);
  }
}
