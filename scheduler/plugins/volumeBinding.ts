// VolumeBinding: a pod's PersistentVolumeClaims decide where it may run, as kube-scheduler's
// plugin of that name.
// - PreFilter: every claim must exist and not be being deleted; a claim that binds
//   immediately must already be bound (the binder does that, not the scheduler).
// - Filter: a bound claim's volume must be reachable from the node (its nodeAffinity); an
//   unbound WaitForFirstConsumer claim needs, on the node, an Available static volume that
//   fits it or a class that can provision there.
// - Reserve: what the chosen node needs is held in memory (the static volume is taken, the
//   claim's node chosen), so the next pod's Filter already sees it.
// - PreBind (the binding cycle, off the scheduling loop): annotate each unbound claim with
//   the selected node, then wait, on the informer's events, up to bindTimeoutSeconds, until
//   every such claim is bound. Unlike kube-scheduler, Gantry's scheduler does not write a
//   static volume's claimRef itself: the binder (controllers/persistentvolume) binds a claim
//   with a selected node to a matching volume on that node, or the provisioner makes one,
//   so the scheduler's only write is the one annotation its admission allows.
// - Unreserve: drop what Reserve held and take back the annotations PreBind set on claims
//   that are still unbound, so a later attempt may choose another node.

import type { TimerClock } from '../../common/clock.js';
import type { CycleState } from '../framework/cycleState.js';
import type { ClusterEvent, FilterPlugin, PreBindPlugin, PreFilterPlugin, ReservePlugin, VolumeBinder } from '../framework/interfaces.js';
import type { VolumeListers } from '../framework/listers.js';
import type { NodeInfo } from '../framework/nodeInfo.js';
import type { PodInfo } from '../framework/podInfo.js';
import { Status } from '../framework/status.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../framework/types.js';
import {
  ANN_SELECTED_NODE,
  claimClass,
  findMatchingVolume,
  isClaimFullyBound,
  isDelayBinding,
  namespacedName,
  NO_PROVISIONER,
  topologyAllows,
  volumeFitsNode,
} from './volumeBindingMatch.js';
import type { VolumeBindingArgs } from './volumeBindingArgs.js';

export const VOLUME_BINDING = 'VolumeBinding';
export const ERR_REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';

const stateKey = 'VolumeBinding';

/** What one node needs for the pod's unbound claims. */
interface NodeVolumes {
  /** Claims that take an existing volume (held here so no other claim counts on it). */
  staticBindings: { claim: PersistentVolumeClaim; volume: PersistentVolume }[];
  /** Claims whose volume the provisioner makes on the node (selected-node annotation). */
  provisions: PersistentVolumeClaim[];
  /** The node as Filter saw it (PreBind checks the volumes that get bound against it). */
  node: NodeInfo;
}

/** Held between Reserve and the end of the binding cycle. */
interface Reservation {
  nodeName: string;
  volumes: NodeVolumes;
  /** Claim keys annotated by PreBind: what unreserve takes back. */
  annotated: Set<string>;
  /** In-memory holds already dropped (PreBind succeeded). */
  released: boolean;
}

interface PodVolumeState {
  bound: PersistentVolumeClaim[];
  /** Unbound claims of WaitForFirstConsumer classes: the scheduler's to place. */
  delayed: PersistentVolumeClaim[];
  byNode: Map<string, NodeVolumes>;
  reservation?: Reservation;
}

/** Why PreBind gave up, as its status message says. */
class BindingFailed extends Error {}

function claimNameOf(pod: PodInfo, vol: { name: string; persistentVolumeClaim?: { claimName: string }; ephemeral?: unknown }): { name: string; ephemeral: boolean } | undefined {
  if (vol.persistentVolumeClaim) return { name: vol.persistentVolumeClaim.claimName, ephemeral: false };
  // A generic ephemeral volume's claim is created by the ephemeral volume controller as <pod>-<volume>.
  if (vol.ephemeral) return { name: `${pod.name}-${vol.name}`, ephemeral: true };
  return undefined;
}

export class VolumeBinding implements PreFilterPlugin, FilterPlugin, ReservePlugin, PreBindPlugin {
  readonly name = VOLUME_BINDING;
  readonly events: readonly ClusterEvent[] = ['PvcAdd', 'PvcUpdate', 'PvAdd', 'PvUpdate', 'StorageClassAdd', 'StorageClassUpdate', 'NodeAdd', 'NodeLabelChange'];
  /** Volume name -> the claim (namespace/name) a reserved pod is taking it for. */
  private readonly heldVolumes = new Map<string, string>();
  /** Claim key -> the node reserved pods chose for it, and which pods hold that choice. */
  private readonly heldNodes = new Map<string, { nodeName: string; pods: Set<string> }>();
  private readonly bindTimeoutMs: number;

  constructor(
    private readonly listers: VolumeListers,
    private readonly binder: VolumeBinder | undefined,
    private readonly clock: TimerClock,
    args: VolumeBindingArgs,
  ) {
    this.bindTimeoutMs = args.bindTimeoutSeconds * 1000;
  }

  // ---- PreFilter / Filter ---------------------------------------------------------

  preFilter(state: CycleState, pod: PodInfo): Status {
    const volumes = pod.pod.spec?.volumes ?? [];
    const bound: PersistentVolumeClaim[] = [];
    const delayed: PersistentVolumeClaim[] = [];
    let immediate = 0;
    const seen = new Set<string>();
    for (const vol of volumes) {
      const ref = claimNameOf(pod, vol);
      if (!ref || seen.has(ref.name)) continue;
      seen.add(ref.name);
      const claim = this.listers.claim(pod.namespace, ref.name);
      if (!claim) {
        if (ref.ephemeral) return Status.unresolvable(`waiting for ephemeral volume controller to create the persistentvolumeclaim "${ref.name}"`);
        return Status.unresolvable(`persistentvolumeclaim "${ref.name}" not found`);
      }
      if (claim.metadata?.deletionTimestamp) return Status.unresolvable(`persistentvolumeclaim "${ref.name}" is being deleted`);
      if (ref.ephemeral && !(claim.metadata?.ownerReferences ?? []).some((o) => o.controller && o.uid === pod.uid)) {
        return Status.unresolvable(`PVC ${pod.namespace}/${ref.name} was not created for pod ${pod.key} (pod is not owner)`);
      }
      if (isClaimFullyBound(claim, (n) => this.listers.volume(n))) bound.push(claim);
      // A claim that names its volume but is not bound yet waits for the binder, like an immediate one.
      else if (!claim.spec?.volumeName && isDelayBinding(claim, (n) => this.listers.storageClass(n))) delayed.push(claim);
      else immediate++;
    }
    if (seen.size === 0) return Status.skip;
    if (immediate > 0) return Status.unresolvable(ERR_REASON_UNBOUND_IMMEDIATE);
    state.write(stateKey, { bound, delayed, byNode: new Map() } satisfies PodVolumeState);
    return Status.success;
  }

  filter(state: CycleState, pod: PodInfo, ni: NodeInfo): Status {
    const data = state.read<PodVolumeState>(stateKey);
    if (!data) return Status.success;
    const reasons: string[] = [];
    for (const claim of data.bound) {
      const volume = this.listers.volume(claim.spec?.volumeName ?? '');
      if (!volume) {
        reasons.push(ERR_REASON_PV_NOT_EXIST);
        break;
      }
      if (!volumeFitsNode(volume, ni)) {
        reasons.push(ERR_REASON_NODE_CONFLICT);
        break;
      }
    }
    const nv = this.unboundOnNode(data.delayed, ni);
    if (!nv) reasons.push(ERR_REASON_BIND_CONFLICT);
    if (reasons.length) return Status.unresolvable(...reasons);
    data.byNode.set(ni.name, nv!);
    return Status.success;
  }

  /** How the unbound claims would be satisfied on this node, or undefined when they cannot be. */
  private unboundOnNode(claims: readonly PersistentVolumeClaim[], ni: NodeInfo): NodeVolumes | undefined {
    const out: NodeVolumes = { staticBindings: [], provisions: [], node: ni };
    const chosen = new Set<string>();
    for (const claim of claims) {
      const key = namespacedName(claim);
      // Already promised to a node (by an earlier attempt, or a reserved pod using the claim too).
      const selected = claim.metadata?.annotations?.[ANN_SELECTED_NODE] ?? this.heldNodes.get(key)?.nodeName;
      if (selected !== undefined && selected !== ni.name) return undefined;
      const excluded = (v: PersistentVolume): boolean => {
        const name = v.metadata?.name ?? '';
        if (chosen.has(name)) return true;
        const holder = this.heldVolumes.get(name);
        return holder !== undefined && holder !== key;
      };
      const volume = findMatchingVolume(claim, this.listers.volumesOfClass(claimClass(claim)), ni, { excluded });
      if (volume) {
        chosen.add(volume.metadata?.name ?? '');
        out.staticBindings.push({ claim, volume });
        continue;
      }
      const sc = this.listers.storageClass(claimClass(claim));
      if (!sc?.provisioner || sc.provisioner === NO_PROVISIONER || !topologyAllows(sc, ni)) return undefined;
      out.provisions.push(claim);
    }
    return out;
  }

  // ---- Reserve / Unreserve --------------------------------------------------------

  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status {
    const data = state.read<PodVolumeState>(stateKey);
    const nv = data?.byNode.get(nodeName);
    if (!data || !nv || (nv.staticBindings.length === 0 && nv.provisions.length === 0)) return Status.success;
    for (const { claim, volume } of nv.staticBindings) {
      const holder = this.heldVolumes.get(volume.metadata?.name ?? '');
      if (holder !== undefined && holder !== namespacedName(claim)) return Status.error(`volume "${volume.metadata?.name ?? ''}" is already taken by claim ${holder}`);
    }
    for (const { claim, volume } of nv.staticBindings) this.heldVolumes.set(volume.metadata?.name ?? '', namespacedName(claim));
    for (const claim of claimsOf(nv)) {
      const key = namespacedName(claim);
      const held = this.heldNodes.get(key);
      if (held && held.nodeName === nodeName) held.pods.add(pod.key);
      else this.heldNodes.set(key, { nodeName, pods: new Set([pod.key]) });
    }
    data.reservation = { nodeName, volumes: nv, annotated: new Set(), released: false };
    return Status.success;
  }

  private release(pod: PodInfo, r: Reservation): void {
    if (r.released) return;
    r.released = true;
    for (const { claim, volume } of r.volumes.staticBindings) {
      const name = volume.metadata?.name ?? '';
      if (this.heldVolumes.get(name) === namespacedName(claim)) this.heldVolumes.delete(name);
    }
    for (const claim of claimsOf(r.volumes)) {
      const key = namespacedName(claim);
      const held = this.heldNodes.get(key);
      if (!held) continue;
      held.pods.delete(pod.key);
      if (held.pods.size === 0) this.heldNodes.delete(key);
    }
  }

  async unreserve(state: CycleState, pod: PodInfo): Promise<void> {
    const data = state.read<PodVolumeState>(stateKey);
    const r = data?.reservation;
    if (!data || !r) return;
    data.reservation = undefined;
    this.release(pod, r);
    if (!this.binder) return;
    const failures: string[] = [];
    for (const claim of claimsOf(r.volumes)) {
      const key = namespacedName(claim);
      if (!r.annotated.has(key) || this.heldNodes.has(key)) continue; // another pod still counts on it
      const cur = this.listers.claim(claim.metadata?.namespace ?? '', claim.metadata?.name ?? '');
      // Bound meanwhile (or gone): the annotation did its work; leave it.
      if (!cur || cur.spec?.volumeName || cur.metadata?.annotations?.[ANN_SELECTED_NODE] === undefined) continue;
      await this.binder.setSelectedNode(cur, undefined).catch((e: unknown) => failures.push(`claim ${key}: ${e instanceof Error ? e.message : String(e)}`));
    }
    if (failures.length) throw new Error(`taking back selected nodes: ${failures.join('; ')}`);
  }

  // ---- PreBind ----------------------------------------------------------------------

  async preBind(state: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status> {
    const r = state.read<PodVolumeState>(stateKey)?.reservation;
    if (!r || r.nodeName !== nodeName) return Status.skip;
    const claims = claimsOf(r.volumes);
    if (claims.length === 0) return Status.skip;
    if (!this.binder) return Status.error('binding volumes: no volume binder configured');
    try {
      for (const claim of claims) {
        const cur = this.listers.claim(claim.metadata?.namespace ?? '', claim.metadata?.name ?? '') ?? claim;
        if (cur.metadata?.annotations?.[ANN_SELECTED_NODE] === nodeName) continue;
        r.annotated.add(namespacedName(claim));
        await this.binder.setSelectedNode(cur, nodeName);
      }
      await this.waitForBound(r, claims, nodeName, signal);
    } catch (e) {
      return Status.error(`binding volumes: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.release(pod, r);
    return Status.success;
  }

  /**
   * Resolves once every claim is bound (to a volume that fits the node); rejects when one is
   * deleted, the binder or provisioner gave up on it (took its selected node back), the time
   * is up, or the scheduler stops.
   */
  private waitForBound(r: Reservation, claims: readonly PersistentVolumeClaim[], nodeName: string, signal: AbortSignal): Promise<void> {
    // The annotation counts as "taken back" only once the cache has shown it: before that the
    // informer may simply not have delivered our write yet.
    const seenAnnotated = new Set<string>();
    const check = (): boolean => {
      let all = true;
      for (const claim of claims) {
        const key = namespacedName(claim);
        const cur = this.listers.claim(claim.metadata?.namespace ?? '', claim.metadata?.name ?? '');
        if (!cur || (claim.metadata?.uid && cur.metadata?.uid !== claim.metadata.uid)) throw new BindingFailed(`persistentvolumeclaim "${claim.metadata?.name ?? ''}" was deleted`);
        if (isClaimFullyBound(cur, (n) => this.listers.volume(n))) {
          const v = this.listers.volume(cur.spec!.volumeName!)!;
          if (!volumeFitsNode(v, r.volumes.node)) throw new BindingFailed(`persistentvolume "${v.metadata?.name ?? ''}" bound to claim ${key} does not fit node "${nodeName}"`);
          continue;
        }
        all = false;
        if (cur.metadata?.annotations?.[ANN_SELECTED_NODE] === nodeName) seenAnnotated.add(key);
        else if (seenAnnotated.has(key)) throw new BindingFailed(`selectedNode annotation reset for PVC "${claim.metadata?.name ?? ''}"`);
      }
      return all;
    };
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(new BindingFailed('the scheduler is stopping'));
      try {
        if (check()) return resolve();
      } catch (e) {
        return reject(e instanceof Error ? e : new Error(String(e)));
      }
      // Set up below, before any of them can fire: events, timers and aborts arrive later.
      const finish = (err?: Error): void => {
        unsubscribe();
        timer.cancel();
        signal.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      const onAbort = (): void => finish(new BindingFailed('the scheduler is stopping'));
      const unsubscribe = this.listers.onChange(() => {
        try {
          if (check()) finish();
        } catch (e) {
          finish(e instanceof Error ? e : new Error(String(e)));
        }
      });
      signal.addEventListener('abort', onAbort, { once: true });
      const names = claims.map(namespacedName).join(', ');
      const timer = this.clock.setTimer(() => finish(new BindingFailed(`timed out after ${this.bindTimeoutMs / 1000}s waiting for PersistentVolumeClaim(s) ${names} to be bound`)), this.bindTimeoutMs);
    });
  }
}

/** Every unbound claim the node decision covers. */
function claimsOf(nv: NodeVolumes): PersistentVolumeClaim[] {
  return [...nv.staticBindings.map((b) => b.claim), ...nv.provisions];
}
