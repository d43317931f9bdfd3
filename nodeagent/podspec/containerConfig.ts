// The runtime config of one container of a pod, as the kubelet makes it: command and args
// with `$(VAR)` expanded from the resolved env, the identity labels, and annotations that
// let the agent recognise the container later (its spec hash, restart count, termination
// message settings). Env, mounts and resources are resolved beforehand (env.ts, mounts.ts,
// resources.ts) because they need I/O or node facts.

import type { ContainerConfig, KeyValue, LinuxContainerResources, Mount } from '../cri/types.js';
import { containerHash } from './containerHash.js';
import { PodSpecError } from './errors.js';
import { expandCommand } from './expansion.js';
import {
  containerHashAnnotation,
  containerNameLabel,
  podIdentityLabels,
  restartCountAnnotation,
  terminationGracePeriodAnnotation,
  terminationMessagePathAnnotation,
  terminationMessagePolicyAnnotation,
} from './labels.js';
import { containerSecurityContext, type SecurityOptions } from './securityContext.js';
import { containerField, type Container, type Pod } from './types.js';

export interface ContainerOptions extends SecurityOptions {
  /** How many times this container has been created before in this sandbox (0 first). */
  attempt: number;
  /** The restart count to record; default `attempt`. */
  restartCount?: number;
  envs: KeyValue[];
  mounts: Mount[];
  resources: LinuxContainerResources;
  /** The pulled image to run (its id or digest reference). */
  imageRef: string;
}

const containerName = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const terminationPolicies = ['File', 'FallbackToLogsOnError'];

function stringList(v: unknown, field: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw new PodSpecError(`${field} must be a list of strings`, field);
  return v as string[];
}

export function containerConfig(pod: Pod, container: Container, opts: ContainerOptions): ContainerConfig {
  const field = containerField(pod, container);
  if (!containerName.test(container.name)) throw new PodSpecError(`${field}.name ${JSON.stringify(container.name)} must be a DNS label`, `${field}.name`);
  if (!Number.isInteger(opts.attempt) || opts.attempt < 0) throw new RangeError(`attempt must be a non-negative integer, not ${opts.attempt}`);
  if (!opts.imageRef) throw new RangeError('imageRef is required');
  const policy = container.terminationMessagePolicy || 'File';
  if (!terminationPolicies.includes(policy)) throw new PodSpecError(`${field}.terminationMessagePolicy ${JSON.stringify(policy)} is not supported`, `${field}.terminationMessagePolicy`);
  if (container.workingDir !== undefined && (typeof container.workingDir !== 'string' || (container.workingDir !== '' && !container.workingDir.startsWith('/')))) {
    throw new PodSpecError(`${field}.workingDir must be an absolute path`, `${field}.workingDir`);
  }

  const command = stringList(container.command, `${field}.command`);
  const args = stringList(container.args, `${field}.args`);
  const config: ContainerConfig = {
    metadata: { name: container.name, attempt: opts.attempt },
    image: { image: opts.imageRef },
    ...(command?.length ? { command: expandCommand(command, opts.envs) } : {}),
    ...(args?.length ? { args: expandCommand(args, opts.envs) } : {}),
    ...(container.workingDir ? { workingDir: container.workingDir } : {}),
    envs: opts.envs,
    mounts: opts.mounts,
    labels: { ...podIdentityLabels(pod.metadata), [containerNameLabel]: container.name },
    annotations: {
      [containerHashAnnotation]: containerHash(container),
      [restartCountAnnotation]: String(opts.restartCount ?? opts.attempt),
      [terminationMessagePathAnnotation]: container.terminationMessagePath || '/dev/termination-log',
      [terminationMessagePolicyAnnotation]: policy,
      [terminationGracePeriodAnnotation]: String(pod.spec.terminationGracePeriodSeconds ?? 30),
    },
    logPath: `${container.name}/${opts.attempt}.log`,
    stdin: container.stdin === true,
    stdinOnce: container.stdinOnce === true,
    tty: container.tty === true,
    linux: {
      resources: opts.resources,
      securityContext: containerSecurityContext(pod, container, opts),
    },
  };
  return config;
}
