// Which protobuf message carries a group/version/kind, and which kind a request body must be.

import { apiVersionOf, parseApiVersion } from '../../common/api/meta.js';
import { groupPackage, subresourceKinds, type ResourceDescriptor } from '../../common/api/resources.js';
import { hasMessage } from './descriptors.js';

export interface BodyKind {
  group: string;
  version: string;
  kind: string;
  /** Other versions of the same kind the endpoint also takes (policy/v1beta1 Eviction). */
  otherVersions?: string[];
  /** Options kinds (DeleteOptions) are registered in every group version: any is taken. */
  anyGroupVersion?: boolean;
}

/**
 * metav1.AddToGroupVersion registers these in every group version, as the meta/v1 types:
 * client-go's typed clients send DeleteOptions as `apps/v1`, `v1`, ...
 */
const optionKinds = new Set(['DeleteOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions', 'GetOptions', 'ListOptions', 'WatchEvent']);

/** The protobuf message of a kind, if Kubernetes defines one for that group version. */
export function messageNameOf(apiVersion: string, kind: string): string | undefined {
  const { group, version } = parseApiVersion(apiVersion);
  if (!/^[A-Za-z0-9]+$/.test(kind) || !/^[a-z0-9]+$/.test(version)) return undefined;
  const name = optionKinds.has(kind)
    ? `k8s.io.apimachinery.pkg.apis.meta.v1.${kind}`
    : group === 'meta.k8s.io'
      ? `k8s.io.apimachinery.pkg.apis.meta.${version}.${kind}`
      : `k8s.io.api.${groupPackage(group)}.${version}.${kind}`;
  return hasMessage(name) ? name : undefined;
}

/** What the body of a write to `subresource` of resource `d` is (Kubernetes' discovery says the same). */
export function requestBodyKind(d: ResourceDescriptor, verb: string, subresource: string | undefined): BodyKind {
  if (verb === 'delete' || verb === 'deletecollection') return { group: d.group === '' ? '' : 'meta.k8s.io', version: 'v1', kind: 'DeleteOptions', anyGroupVersion: true };
  if (subresource !== 'binding' && subresource !== 'eviction' && subresource !== 'scale') return { group: d.group, version: d.version, kind: d.kind };
  const { group, version, kind } = subresourceKinds[subresource];
  return subresource === 'eviction' ? { group, version, kind, otherVersions: ['v1beta1'] } : { group, version, kind };
}

export const bodyApiVersion = (k: BodyKind): string => apiVersionOf(k);
