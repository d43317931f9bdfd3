// Typed failures of turning a pod into runtime configs. Kubernetes surfaces these on the
// pod, not as API errors: a container waits with reason CreateContainerConfigError, a volume
// that cannot be set up gives a FailedMount event. `reason` is that word, `field` the path
// of the pod field at fault (`spec.volumes[2].hostPath`), so the agent can report both.

export type PodSpecErrorReason = 'InvalidPodSpec' | 'CreateContainerConfigError' | 'FailedMount';

/** A pod the agent cannot run as written. The base of every error this folder throws for bad input. */
export class PodSpecError extends Error {
  readonly reason: PodSpecErrorReason;
  readonly field: string | undefined;
  constructor(message: string, field?: string, options?: { cause?: unknown; reason?: PodSpecErrorReason }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.reason = options?.reason ?? 'InvalidPodSpec';
    this.field = field;
  }
}

/** A container's config cannot be made: a missing ConfigMap/Secret or key, a bad mount, a non-root violation. */
export class ContainerConfigError extends PodSpecError {
  constructor(message: string, field?: string, options?: { cause?: unknown }) {
    super(message, field, { ...options, reason: 'CreateContainerConfigError' });
  }
}

/** A volume cannot be set up (the kubelet's FailedMount). */
export class VolumeError extends PodSpecError {
  constructor(message: string, field?: string, options?: { cause?: unknown }) {
    super(message, field, { ...options, reason: 'FailedMount' });
  }
}
