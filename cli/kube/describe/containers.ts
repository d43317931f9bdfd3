// Containers, probes and volumes as kubectl describe writes them, shared by pods (with their
// statuses) and pod templates (deployments, replica sets: indented one step, no statuses).

import { evaluatePath } from '../jsonpathTemplate.js';
import { labelsMultiline, annotationsMultiline, quantityText, rfc1123z, tolerationsMultiline, goBool } from './fields.js';
import type { DescribeWriter } from './tabwriter.js';
import type { Container, ContainerState, ContainerStatus, EnvVar, Pod, PodTemplate, Probe, Quantities, Volume } from './wire.js';

/** Resolves a downward-API env value for a pod's containers; templates have none. */
type EnvResolver = (e: EnvVar) => string;

function portsText(c: Container, host: boolean): string {
  return (c.ports ?? []).map((p) => `${host ? (p.hostPort ?? 0) : p.containerPort}/${p.protocol ?? 'TCP'}`).join(', ');
}

/** Go's `%v` of a string slice: `[a b c]`. */
function goSlice(v: string[] | undefined): string {
  return `[${(v ?? []).join(' ')}]`;
}

export function probeText(p: Probe): string {
  const attrs = `delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 0}s period=${p.periodSeconds ?? 0}s #success=${p.successThreshold ?? 0} #failure=${p.failureThreshold ?? 0}`;
  if (p.exec) return `exec ${goSlice(p.exec.command)} ${attrs}`;
  if (p.httpGet) {
    const g = p.httpGet;
    const port = g.port === undefined ? '' : String(g.port);
    const host = port ? `${g.host?.includes(':') ? `[${g.host}]` : (g.host ?? '')}:${port}` : (g.host ?? '');
    return `http-get ${(g.scheme ?? '').toLowerCase()}://${host}${g.path ?? ''} ${attrs}`;
  }
  if (p.tcpSocket) return `tcp-socket ${p.tcpSocket.host ?? ''}:${p.tcpSocket.port ?? ''} ${attrs}`;
  if (p.grpc) return `grpc <pod>:${p.grpc.port ?? 0} ${p.grpc.service ?? ''} ${attrs}`;
  return `unknown ${attrs}`;
}

function describeState(w: DescribeWriter, title: string, s: ContainerState | undefined): void {
  if (s?.running) {
    w.line(2, `${title}:`, 'Running');
    w.line(3, 'Started:', rfc1123z(s.running.startedAt));
  } else if (s?.terminated) {
    const t = s.terminated;
    w.line(2, `${title}:`, 'Terminated');
    if (t.reason) w.line(3, 'Reason:', t.reason);
    if (t.message) w.line(3, 'Message:', t.message);
    w.line(3, 'Exit Code:', t.exitCode);
    if (t.signal) w.line(3, 'Signal:', t.signal);
    w.line(3, 'Started:', rfc1123z(t.startedAt));
    w.line(3, 'Finished:', rfc1123z(t.finishedAt));
  } else {
    w.line(2, `${title}:`, 'Waiting');
    if (s?.waiting?.reason) w.line(3, 'Reason:', s.waiting.reason);
  }
}

function describeResources(w: DescribeWriter, title: string, q: Quantities | undefined): void {
  const names = Object.keys(q ?? {}).sort();
  if (!names.length) return;
  w.write(2, `${title}:\n`);
  for (const n of names) w.line(3, `${n}:`, quantityText(q![n]));
}

function describeEnv(w: DescribeWriter, c: Container, resolve: EnvResolver | undefined): void {
  if (c.envFrom?.length) {
    w.write(2, 'Environment Variables from:\n');
    for (const f of c.envFrom) {
      const [kind, ref] = f.configMapRef ? ['ConfigMap', f.configMapRef] : ['Secret', f.secretRef];
      w.line(3, ref?.name ?? '', `${kind}${f.prefix ? ` with prefix '${f.prefix}'` : ''}`, `Optional: ${goBool(ref?.optional)}`);
    }
  }
  w.write(2, `Environment:${c.env?.length ? '' : '\t<none>'}\n`);
  for (const e of c.env ?? []) {
    const from = e.valueFrom;
    if (!from) {
      (e.value ?? '').split('\n').forEach((s, i) => w.write(3, i ? `\t${s}\n` : `${e.name}:\t${s}\n`));
    } else if (from.fieldRef) {
      w.write(3, `${e.name}:\t${resolve ? resolve(e) : ''} (${from.fieldRef.apiVersion ?? ''}:${from.fieldRef.fieldPath})\n`);
    } else if (from.resourceFieldRef) {
      w.write(3, `${e.name}:\t${resolve ? resolve(e) : ''} (${from.resourceFieldRef.resource})\n`);
    } else if (from.secretKeyRef) {
      w.write(3, `${e.name}:\t<set to the key '${from.secretKeyRef.key}' in secret '${from.secretKeyRef.name ?? ''}'>\tOptional: ${goBool(from.secretKeyRef.optional)}\n`);
    } else if (from.configMapKeyRef) {
      w.write(3, `${e.name}:\t<set to the key '${from.configMapKeyRef.key}' of config map '${from.configMapKeyRef.name ?? ''}'>\tOptional: ${goBool(from.configMapKeyRef.optional)}\n`);
    }
  }
}

function describeMounts(w: DescribeWriter, c: Container): void {
  w.write(2, `Mounts:${c.volumeMounts?.length ? '' : '\t<none>'}\n`);
  const mounts = [...(c.volumeMounts ?? [])].sort((a, b) => (a.mountPath < b.mountPath ? -1 : a.mountPath > b.mountPath ? 1 : 0));
  for (const m of mounts) {
    const flags = [m.readOnly ? 'ro' : 'rw', ...(m.subPath ? [`path=${JSON.stringify(m.subPath)}`] : [])];
    w.write(3, `${m.mountPath} from ${m.name} (${flags.join(',')})\n`);
  }
}

export function describeContainers(w: DescribeWriter, title: string, containers: Container[] | undefined, statuses: ContainerStatus[] | undefined, resolve: EnvResolver | undefined, space: string): void {
  w.write(0, `${space}${title}:${containers?.length ? '' : ' <none>'}\n`);
  const byName = new Map((statuses ?? []).map((s) => [s.name, s]));
  for (const c of containers ?? []) {
    const st = statuses ? byName.get(c.name) : undefined;
    w.write(1, `${space ? ' ' : ''}${c.name}:\n`);
    if (st) w.line(2, 'Container ID:', st.containerID ?? '');
    w.line(2, 'Image:', c.image ?? '');
    if (st) w.line(2, 'Image ID:', st.imageID ?? '');
    const ports = portsText(c, false);
    w.line(2, ports.includes(',') ? 'Ports:' : 'Port:', ports || '<none>');
    const hostPorts = portsText(c, true);
    w.line(2, hostPorts.includes(',') ? 'Host Ports:' : 'Host Port:', hostPorts || '<none>');
    for (const [t, list] of [['Command', c.command], ['Args', c.args]] as const) {
      if (!list?.length) continue;
      w.write(2, `${t}:\n`);
      for (const part of list) for (const s of part.split('\n')) w.write(3, `${s}\n`);
    }
    if (st) {
      describeState(w, 'State', st.state);
      if (st.lastState?.terminated) describeState(w, 'Last State', st.lastState);
      w.line(2, 'Ready:', st.ready ? 'True' : 'False');
      w.line(2, 'Restart Count:', st.restartCount ?? 0);
    }
    describeResources(w, 'Limits', c.resources?.limits);
    describeResources(w, 'Requests', c.resources?.requests);
    if (c.livenessProbe) w.line(2, 'Liveness:', probeText(c.livenessProbe));
    if (c.readinessProbe) w.line(2, 'Readiness:', probeText(c.readinessProbe));
    if (c.startupProbe) w.line(2, 'Startup:', probeText(c.startupProbe));
    describeEnv(w, c, resolve);
    describeMounts(w, c);
  }
}

function describeVolume(w: DescribeWriter, v: Volume): void {
  const lines = (type: string, rest: [string, string][]): void => {
    w.line(2, 'Type:', type);
    for (const [k, val] of rest) w.line(2, `${k}:`, val);
  };
  if (v.hostPath) lines('HostPath (bare host directory volume)', [['Path', v.hostPath.path], ['HostPathType', v.hostPath.type || '<none>']]);
  else if (v.emptyDir) lines("EmptyDir (a temporary directory that shares a pod's lifetime)", [['Medium', v.emptyDir.medium ?? ''], ['SizeLimit', v.emptyDir.sizeLimit && quantityText(v.emptyDir.sizeLimit) !== '0' ? quantityText(v.emptyDir.sizeLimit) : '<unset>']]);
  else if (v.configMap) lines('ConfigMap (a volume populated by a ConfigMap)', [['Name', v.configMap.name ?? ''], ['Optional', goBool(v.configMap.optional)]]);
  else if (v.secret) lines('Secret (a volume populated by a Secret)', [['SecretName', v.secret.secretName ?? ''], ['Optional', goBool(v.secret.optional)]]);
  else if (v.persistentVolumeClaim) lines('PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)', [['ClaimName', v.persistentVolumeClaim.claimName], ['ReadOnly', goBool(v.persistentVolumeClaim.readOnly)]]);
  else if (v.projected) lines('Projected (a volume that contains injected data from multiple sources)', []);
  else if (v.downwardAPI) lines('DownwardAPI (a volume populated by information about the pod)', []);
  else w.write(1, '<unknown>\n');
}

export function describeVolumes(w: DescribeWriter, volumes: Volume[] | undefined, space: string): void {
  if (!volumes?.length) return w.write(0, `${space}Volumes:\t<none>\n`);
  w.write(0, `${space}Volumes:\n`);
  for (const v of volumes) {
    w.write(1, `${space ? ' ' : ''}${v.name}:\n`);
    describeVolume(w, v);
  }
}

/** A pod's own values for `fieldRef` env vars (metadata.name, status.podIP, labels['x'], ...). */
export function podEnvResolver(pod: Pod): EnvResolver {
  return (e) => {
    const path = e.valueFrom?.fieldRef?.fieldPath;
    if (!path) return '';
    const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
    if (m) return (m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[m[2]!] ?? '';
    const v = evaluatePath(pod, `.${path}`)[0];
    return v === undefined || v === null ? '' : String(v);
  };
}

/** `Pod Template:` of a deployment or replica set. */
export function describePodTemplate(w: DescribeWriter, t: PodTemplate | undefined): void {
  w.write(0, 'Pod Template:\n');
  if (!t) return w.write(1, '<unset>');
  labelsMultiline(w, '  Labels', t.metadata?.labels);
  if (Object.keys(t.metadata?.annotations ?? {}).length) annotationsMultiline(w, '  Annotations', t.metadata?.annotations);
  if (t.spec?.serviceAccountName) w.line(1, 'Service Account:', t.spec.serviceAccountName);
  if (t.spec?.initContainers?.length) describeContainers(w, 'Init Containers', t.spec.initContainers, undefined, undefined, '  ');
  describeContainers(w, 'Containers', t.spec?.containers, undefined, undefined, '  ');
  describeVolumes(w, t.spec?.volumes, '  ');
  if (t.spec?.priorityClassName) w.line(1, 'Priority Class Name:', t.spec.priorityClassName);
  labelsMultiline(w, '  Node-Selectors', t.spec?.nodeSelector);
  tolerationsMultiline(w, '  Tolerations', t.spec?.tolerations);
}
