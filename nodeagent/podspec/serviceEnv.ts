// The Service variables the kubelet puts into every container (Docker links style):
// `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT[_<PORT NAME>]`, `<NAME>_PORT` and
// `<NAME>_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR]`, for every Service of the pod's namespace
// while `spec.enableServiceLinks` is not false, and always for the `kubernetes` Service of
// the `default` namespace: in-cluster clients find the API server through it. Services
// without a cluster IP (headless, ExternalName) have no variables. The result is a plain
// map: env.ts decides precedence (the pod's own variables win) and `$(VAR)` expansion.

/** What this file reads of a Service; the API's objects (and the proxy's ServiceWire) fit it. */
export interface ServiceForEnv {
  metadata?: { name?: string; namespace?: string };
  spec?: {
    clusterIP?: string;
    ports?: { name?: string; protocol?: string; port?: number }[] | null;
  };
}

/** Services of `default` whose variables every pod gets, even with service links off (the kubelet's masterServices). */
const masterServices = new Set(['kubernetes']);

/** `my-svc` -> `MY_SVC`, as the kubelet names them (no other character is changed). */
export function serviceEnvName(name: string): string {
  return name.replaceAll('-', '_').toUpperCase();
}

function hasClusterIP(svc: ServiceForEnv): boolean {
  const ip = svc.spec?.clusterIP;
  return typeof ip === 'string' && ip !== '' && ip !== 'None';
}

/** `ip:port`, with brackets around an IPv6 address (Go's net.JoinHostPort). */
function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** The variables of the given Services (the kubelet's envvars.FromServices), in the order of the list. */
export function envFromServices(services: readonly ServiceForEnv[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const svc of services) {
    const ip = svc.spec?.clusterIP;
    const name = svc.metadata?.name;
    // A Service with a cluster IP always has ports (validation); one without is skipped rather than guessed at.
    const ports = (svc.spec?.ports ?? []).filter((p): p is typeof p & { port: number } => Number.isInteger(p?.port));
    if (!hasClusterIP(svc) || !ip || !name || ports.length === 0) continue;
    const prefix = serviceEnvName(name);
    out[`${prefix}_SERVICE_HOST`] = ip;
    out[`${prefix}_SERVICE_PORT`] = String(ports[0]!.port);
    for (const p of ports) if (p.name) out[`${prefix}_SERVICE_PORT_${serviceEnvName(p.name)}`] = String(p.port);
    for (const [i, p] of ports.entries()) {
      const protocol = p.protocol || 'TCP';
      const url = `${protocol.toLowerCase()}://${hostPort(ip, p.port)}`;
      if (i === 0) out[`${prefix}_PORT`] = url;
      const portPrefix = `${prefix}_PORT_${p.port}_${protocol.toUpperCase()}`;
      out[portPrefix] = url;
      out[`${portPrefix}_PROTO`] = protocol.toLowerCase();
      out[`${portPrefix}_PORT`] = String(p.port);
      out[`${portPrefix}_ADDR`] = ip;
    }
  }
  return out;
}

/**
 * The service variables of a pod in `namespace` (the kubelet's getServiceEnvVarMap), from
 * every Service the agent knows. A Service of the pod's own namespace named like a master
 * service replaces the master one (when links are on), whatever the order of the list.
 */
export function serviceEnvForPod(namespace: string, enableServiceLinks: boolean | undefined, services: Iterable<ServiceForEnv>): Record<string, string> {
  const byName = new Map<string, ServiceForEnv>();
  const links = enableServiceLinks !== false;
  for (const svc of services) {
    const name = svc.metadata?.name;
    if (!name || !hasClusterIP(svc)) continue;
    const ns = svc.metadata?.namespace ?? '';
    if (ns === 'default' && masterServices.has(name)) {
      if (!byName.has(name)) byName.set(name, svc);
    } else if (ns === namespace && links) {
      byName.set(name, svc);
    }
  }
  // Sorted, so a container's environment does not depend on the order the informer holds Services in.
  const chosen = [...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, svc]) => svc);
  return envFromServices(chosen);
}
