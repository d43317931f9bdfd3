// Kubernetes' well-known certificate signers that Gantry's controller manager serves.

/** A node's client certificate (CN system:node:<name>, O system:nodes), asked for at join and renewal. */
export const kubeletClientSigner = 'kubernetes.io/kube-apiserver-client-kubelet';
/** A node agent's serving certificate (logs, exec), SANs its name and addresses. */
export const kubeletServingSigner = 'kubernetes.io/kubelet-serving';
/** Any client certificate for the API server, approved by hand (`kubectl certificate approve`). */
export const apiServerClientSigner = 'kubernetes.io/kube-apiserver-client';
