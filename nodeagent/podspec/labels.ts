// The labels and annotations the kubelet puts on sandboxes and containers, so the agent
// can find a pod's runtime objects again after a restart, and tell what changed.

export const podNameLabel = 'io.kubernetes.pod.name';
export const podNamespaceLabel = 'io.kubernetes.pod.namespace';
export const podUidLabel = 'io.kubernetes.pod.uid';
export const containerNameLabel = 'io.kubernetes.container.name';

export const containerHashAnnotation = 'io.kubernetes.container.hash';
export const restartCountAnnotation = 'io.kubernetes.container.restartCount';
export const terminationMessagePathAnnotation = 'io.kubernetes.container.terminationMessagePath';
export const terminationMessagePolicyAnnotation = 'io.kubernetes.container.terminationMessagePolicy';
export const terminationGracePeriodAnnotation = 'io.kubernetes.pod.terminationGracePeriod';

/** The identity labels of a pod's runtime objects. */
export function podIdentityLabels(meta: { name: string; namespace: string; uid: string }): Record<string, string> {
  return { [podNameLabel]: meta.name, [podNamespaceLabel]: meta.namespace, [podUidLabel]: meta.uid };
}
