// A container's Linux security settings from its own securityContext over the pod's, as
// the kubelet merges them. Fields left unset stay unset, so the runtime's defaults apply:
// Gantry's runtime defaults to the RuntimeDefault seccomp profile (like the kubelet's
// --seccomp-default) and to no_new_privs unless allowPrivilegeEscalation is true.

import path from 'node:path';
import type { LinuxContainerSecurityContext } from '../cri/types.js';
import { ContainerConfigError, PodSpecError } from './errors.js';
import { podNamespaceOptions } from './sandboxConfig.js';
import { containerField, listAt, type Container, type Pod, type SeccompProfile } from './types.js';

export interface SecurityOptions {
  /** The image's configured user (`1000`, `1000:1000`, `nobody`; '' = root), to enforce runAsNonRoot. */
  imageUser?: string;
  /** Directory of the node's seccomp profiles, where `Localhost` profiles are found (the kubelet's <root>/seccomp). */
  seccompProfileRoot?: string;
}

const maxId = 2 ** 31 - 1;

function idAt(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > maxId) throw new PodSpecError(`${field} must be an integer between 0 and ${maxId}`, field);
  return v;
}

function stringsAt(v: unknown, field: string): string[] {
  const list = listAt(v as string[] | undefined, field);
  list.forEach((s, i) => {
    if (typeof s !== 'string' || s === '') throw new PodSpecError(`${field}[${i}] must be a non-empty string`, `${field}[${i}]`);
  });
  return list;
}

function seccompProfile(profile: SeccompProfile, field: string, root: string | undefined): string {
  switch (profile.type) {
    case 'RuntimeDefault':
      return 'runtime/default';
    case 'Unconfined':
      return 'unconfined';
    case 'Localhost': {
      const rel = profile.localhostProfile;
      if (typeof rel !== 'string' || rel === '' || path.isAbsolute(rel) || rel.split('/').includes('..')) {
        throw new PodSpecError(`${field}.localhostProfile must be a relative path without '..'`, `${field}.localhostProfile`);
      }
      if (!root) throw new ContainerConfigError(`${field}: this node has no seccomp profile directory for Localhost profiles`, field);
      return `localhost/${path.join(root, rel)}`;
    }
    default:
      throw new PodSpecError(`${field}.type ${JSON.stringify(profile.type)} is not supported (RuntimeDefault, Unconfined, Localhost)`, `${field}.type`);
  }
}

/** The image user as the kubelet reads it: a numeric uid, or a name it cannot check. */
function imageUid(user: string): { uid?: number; name?: string } {
  const u = user.split(':')[0] ?? '';
  if (u === '') return { uid: 0 };
  return /^\d+$/.test(u) ? { uid: Number(u) } : { name: u };
}

export function containerSecurityContext(pod: Pod, container: Container, opts: SecurityOptions = {}): LinuxContainerSecurityContext {
  const field = `${containerField(pod, container)}.securityContext`;
  const sc = container.securityContext ?? {};
  const psc = pod.spec.securityContext ?? {};
  const out: LinuxContainerSecurityContext = { namespaceOptions: podNamespaceOptions(pod) };

  const runAsUser = idAt(sc.runAsUser, `${field}.runAsUser`) ?? idAt(psc.runAsUser, 'spec.securityContext.runAsUser');
  const runAsGroup = idAt(sc.runAsGroup, `${field}.runAsGroup`) ?? idAt(psc.runAsGroup, 'spec.securityContext.runAsGroup');
  if (runAsUser !== undefined) out.runAsUser = runAsUser;
  if (runAsGroup !== undefined) out.runAsGroup = runAsGroup;

  const groups = listAt(psc.supplementalGroups, 'spec.securityContext.supplementalGroups').map((g, i) => idAt(g, `spec.securityContext.supplementalGroups[${i}]`)!);
  // The fsGroup is given to every container as a supplemental group, so it can use volumes
  // owned by that group (changing the volumes' ownership is not done here).
  const fsGroup = idAt(psc.fsGroup, 'spec.securityContext.fsGroup');
  if (fsGroup !== undefined) groups.push(fsGroup);
  if (groups.length) out.supplementalGroups = groups;

  if (sc.privileged === true) out.privileged = true;
  const add = stringsAt(sc.capabilities?.add, `${field}.capabilities.add`);
  const drop = stringsAt(sc.capabilities?.drop, `${field}.capabilities.drop`);
  if (add.length || drop.length) out.capabilities = { ...(add.length ? { addCapabilities: add } : {}), ...(drop.length ? { dropCapabilities: drop } : {}) };
  if (sc.readOnlyRootFilesystem === true) out.readonlyRootfs = true;
  if (typeof sc.allowPrivilegeEscalation === 'boolean') out.noNewPrivs = !sc.allowPrivilegeEscalation;

  const profile = sc.seccompProfile ?? psc.seccompProfile;
  if (profile) out.seccompProfile = seccompProfile(profile, sc.seccompProfile ? `${field}.seccompProfile` : 'spec.securityContext.seccompProfile', opts.seccompProfileRoot);

  if (sc.procMount === 'Unmasked') {
    out.maskedPaths = [];
    out.readonlyPaths = [];
  } else if (sc.procMount !== undefined && sc.procMount !== 'Default') {
    throw new PodSpecError(`${field}.procMount ${JSON.stringify(sc.procMount)} is not supported`, `${field}.procMount`);
  }

  const runAsNonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
  if (runAsNonRoot === true) {
    const who = `(pod: "${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})", container: ${container.name})`;
    if (runAsUser !== undefined) {
      if (runAsUser === 0) throw new ContainerConfigError(`container's runAsUser breaks non-root policy ${who}`, `${field}.runAsUser`);
    } else {
      const image = imageUid(opts.imageUser ?? '');
      if (image.uid === 0) throw new ContainerConfigError(`container has runAsNonRoot and image will run as root ${who}`, `${field}.runAsNonRoot`);
      if (image.name !== undefined) {
        throw new ContainerConfigError(`container has runAsNonRoot and image has non-numeric user (${image.name}), cannot verify user is non-root ${who}`, `${field}.runAsNonRoot`);
      }
    }
  }
  return out;
}
