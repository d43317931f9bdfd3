// The pod network's contracts: what a node tells its peers, and what a backend (vxlan,
// host-gw) does with the peers it is given.

/** Another node, as far as reaching its pods goes. */
export interface NodePeer {
  name: string;
  podCidr: string;
  /** Its InternalIP: where its overlay packets or routed pod traffic go. */
  address: string;
  /** The vxlan backend's per-node facts, from the peer's Node annotations. */
  vtepMac?: string;
}

export interface LocalNetwork {
  /** The MTU pods must use so their packets fit the backend's encapsulation. */
  podMtu: number;
  /** Published on this node's Node object for the peers' backends. */
  annotations: Record<string, string>;
}

export interface PodNetworkBackend {
  readonly kind: 'vxlan' | 'host-gw';
  /** Creates (or adopts, after a restart) this host's end; idempotent. */
  setUp(): Promise<LocalNetwork>;
  /** Makes the routes to exactly these peers: adds what is missing, removes what is not listed. */
  syncPeers(peers: readonly NodePeer[]): Promise<void>;
  /** Removes everything setUp and syncPeers created. */
  tearDown(): Promise<void>;
}

/** The annotation carrying a node's VXLAN tunnel endpoint MAC (flannel keeps the same in its backend-data). */
export const vtepMacAnnotation = 'network.gantry.dev/vxlan-vtep-mac';
/** Marks the routes the pod network adds (`ip route ... proto 147`), so stale ones are found without guessing. */
export const routeProtocol = '147';
