// `describe node`: conditions, addresses, capacity and allocatable, system info, the pods on
// it with their requests and limits against allocatable, and the totals (what the scheduler
// counts), then events.

import { parseQuantity, type Quantity } from '../../../common/quantity.js';
import { annotationsMultiline, describeEvents, labelsMultiline, quantityText, rfc1123z, since, taintsMultiline } from './fields.js';
import { DescribeWriter } from './tabwriter.js';
import type { CoreEvent, Node, Pod, Quantities } from './wire.js';

/** The node's lease, or the reason it could not be read. */
export type LeaseInfo = { holderIdentity?: string; acquireTime?: string; renewTime?: string } | { error: string };

function roles(n: Node): string[] {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(n.metadata?.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) out.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) out.add(v);
  }
  return [...out].sort();
}

type Sums = Map<string, Quantity>;

function addAll(into: Sums, q: Quantities | undefined): void {
  for (const [k, v] of Object.entries(q ?? {})) {
    const have = into.get(k);
    into.set(k, have ? have.add(parseQuantity(v)) : parseQuantity(v));
  }
}

/** A pod's effective requests and limits: its containers summed, at least any init container's, plus overhead. */
export function podRequestsAndLimits(p: Pod): { requests: Sums; limits: Sums } {
  const one = (which: 'requests' | 'limits'): Sums => {
    const sum: Sums = new Map();
    for (const c of p.spec?.containers ?? []) addAll(sum, c.resources?.[which]);
    for (const c of p.spec?.initContainers ?? []) {
      for (const [k, v] of Object.entries(c.resources?.[which] ?? {})) {
        const q = parseQuantity(v);
        const have = sum.get(k);
        if (!have || q.cmp(have) > 0) sum.set(k, q);
      }
    }
    if (p.spec?.overhead) addAll(sum, p.spec.overhead);
    return sum;
  };
  return { requests: one('requests'), limits: one('limits') };
}

function fraction(part: Quantity | undefined, whole: string | number | undefined, milli: boolean): number {
  if (whole === undefined) return 0;
  const w = parseQuantity(whole);
  const denom = Number(milli ? w.milliValue() : w.value());
  if (!denom) return 0;
  const num = part ? Number(milli ? part.milliValue() : part.value()) : 0;
  return Math.trunc((num / denom) * 100);
}

const text = (q: Quantity | undefined): string => (q ? q.format() : '0');

export function describeNode(n: Node, pods: Pod[], lease: LeaseInfo, events: CoreEvent[] | undefined, now = Date.now()): string {
  const w = new DescribeWriter();
  const st = n.status ?? {};
  w.line(0, 'Name:', n.metadata?.name ?? '');
  const r = roles(n);
  w.line(0, 'Roles:', r.length ? r.join(',') : '<none>');
  labelsMultiline(w, 'Labels', n.metadata?.labels);
  annotationsMultiline(w, 'Annotations', n.metadata?.annotations);
  w.line(0, 'CreationTimestamp:', rfc1123z(n.metadata?.creationTimestamp));
  taintsMultiline(w, 'Taints', n.spec?.taints);
  w.line(0, 'Unschedulable:', n.spec?.unschedulable ? 'true' : 'false');
  if ('error' in lease) w.line(0, 'Lease:', `Failed to get lease: ${lease.error}`);
  else {
    w.write(0, 'Lease:\n');
    w.line(1, 'HolderIdentity:', lease.holderIdentity ?? '<unset>');
    w.line(1, 'AcquireTime:', lease.acquireTime ? rfc1123z(lease.acquireTime) : '<unset>');
    w.line(1, 'RenewTime:', lease.renewTime ? rfc1123z(lease.renewTime) : '<unset>');
  }
  if (st.conditions?.length) {
    w.write(0, 'Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n');
    w.write(1, '----\t------\t-----------------\t------------------\t------\t-------\n');
    for (const c of st.conditions) w.write(1, `${c.type} \t${c.status} \t${rfc1123z(c.lastHeartbeatTime)} \t${rfc1123z(c.lastTransitionTime)} \t${c.reason ?? ''} \t${c.message ?? ''}\n`);
  }
  w.write(0, 'Addresses:\n');
  for (const a of st.addresses ?? []) w.line(1, `${a.type}:`, a.address);
  for (const [title, list] of [['Capacity', st.capacity], ['Allocatable', st.allocatable]] as const) {
    if (!Object.keys(list ?? {}).length) continue;
    w.write(0, `${title}:\n`);
    for (const k of Object.keys(list!).sort()) w.line(1, `${k}:`, quantityText(list![k]));
  }
  const info = st.nodeInfo ?? {};
  w.write(0, 'System Info:\n');
  const infoLines: [string, string][] = [
    ['Machine ID', 'machineID'],
    ['System UUID', 'systemUUID'],
    ['Boot ID', 'bootID'],
    ['Kernel Version', 'kernelVersion'],
    ['OS Image', 'osImage'],
    ['Operating System', 'operatingSystem'],
    ['Architecture', 'architecture'],
    ['Container Runtime Version', 'containerRuntimeVersion'],
    ['Kubelet Version', 'kubeletVersion'],
    ['Kube-Proxy Version', 'kubeProxyVersion'],
  ];
  for (const [title, key] of infoLines) w.line(1, `${title}:`, info[key] ?? '');
  if (n.spec?.podCIDR) w.line(0, 'PodCIDR:', n.spec.podCIDR);
  if (n.spec?.podCIDRs?.length) w.line(0, 'PodCIDRs:', n.spec.podCIDRs.join(','));
  if (n.spec?.providerID) w.line(0, 'ProviderID:', n.spec.providerID);

  const alloc = Object.keys(st.allocatable ?? {}).length ? st.allocatable! : (st.capacity ?? {});
  w.line(0, 'Non-terminated Pods:', `(${pods.length} in total)`);
  w.write(1, 'Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n');
  w.write(1, '---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n');
  const totals = { requests: new Map() as Sums, limits: new Map() as Sums };
  for (const p of pods) {
    const { requests, limits } = podRequestsAndLimits(p);
    for (const [k, v] of requests) totals.requests.set(k, totals.requests.get(k)?.add(v) ?? v);
    for (const [k, v] of limits) totals.limits.set(k, totals.limits.get(k)?.add(v) ?? v);
    const cell = (q: Quantity | undefined, res: 'cpu' | 'memory'): string => `${text(q)} (${fraction(q, alloc[res], res === 'cpu')}%)`;
    w.write(
      1,
      `${p.metadata?.namespace ?? ''}\t${p.metadata?.name ?? ''}\t\t${cell(requests.get('cpu'), 'cpu')}\t${cell(limits.get('cpu'), 'cpu')}\t${cell(requests.get('memory'), 'memory')}\t${cell(limits.get('memory'), 'memory')}\t${since(p.metadata?.creationTimestamp, now)}\n`,
    );
  }
  w.write(0, 'Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n');
  w.write(1, 'Resource\tRequests\tLimits\n');
  w.write(1, '--------\t--------\t------\n');
  for (const res of ['cpu', 'memory', 'ephemeral-storage'] as const) {
    const rq = totals.requests.get(res);
    const lm = totals.limits.get(res);
    w.write(1, `${res}\t${text(rq)} (${fraction(rq, alloc[res], res === 'cpu')}%)\t${text(lm)} (${fraction(lm, alloc[res], res === 'cpu')}%)\n`);
  }
  const standard = new Set(['cpu', 'memory', 'ephemeral-storage', 'storage', 'pods']);
  const keys = Object.keys(alloc).sort();
  for (const res of keys.filter((k) => k.startsWith('hugepages-'))) {
    const rq = totals.requests.get(res);
    const lm = totals.limits.get(res);
    w.write(1, `${res}\t${text(rq)} (${fraction(rq, alloc[res], false)}%)\t${text(lm)} (${fraction(lm, alloc[res], false)}%)\n`);
  }
  for (const res of keys.filter((k) => !k.startsWith('hugepages-') && !standard.has(k) && !k.startsWith('requests.') && !k.startsWith('limits.'))) {
    w.write(1, `${res}\t${text(totals.requests.get(res))}\t${text(totals.limits.get(res))}\n`);
  }
  describeEvents(w, events, now);
  return w.text();
}
