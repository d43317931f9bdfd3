// Server-side defaults of a pod spec, shared by Pods and the templates of Deployments
// and ReplicaSets (so `describe` and `apply` diffs show what Kubernetes would show).

import { isObject } from '../../../common/api/meta.js';

type Obj = Record<string, unknown>;

function setDefault(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined) o[key] = value;
}

function defaultContainer(c: Obj): void {
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  if (c.imagePullPolicy === undefined && typeof c.image === 'string') {
    const image = c.image;
    const lastSegment = image.slice(image.lastIndexOf('/') + 1);
    const hasDigest = image.includes('@');
    const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : '';
    c.imagePullPolicy = !hasDigest && (tag === '' || tag === 'latest') ? 'Always' : 'IfNotPresent';
  }
  setDefault(c, 'resources', {});
  if (Array.isArray(c.ports)) for (const p of c.ports) if (isObject(p)) setDefault(p, 'protocol', 'TCP');
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const pr = c[probe];
    if (!isObject(pr)) continue;
    setDefault(pr, 'timeoutSeconds', 1);
    setDefault(pr, 'periodSeconds', 10);
    setDefault(pr, 'successThreshold', 1);
    setDefault(pr, 'failureThreshold', 3);
    if (isObject(pr.httpGet)) setDefault(pr.httpGet, 'scheme', 'HTTP');
    if (isObject(pr.httpGet)) setDefault(pr.httpGet, 'path', '/');
  }
}

export function defaultPodSpec(spec: unknown): void {
  if (!isObject(spec)) return;
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'enableServiceLinks', true);
  setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  if (spec.priority === undefined && spec.priorityClassName === undefined) spec.priority = 0;
  for (const list of ['containers', 'initContainers']) {
    const cs = spec[list];
    if (Array.isArray(cs)) for (const c of cs) if (isObject(c)) defaultContainer(c);
  }
  if (Array.isArray(spec.volumes)) {
    for (const v of spec.volumes) {
      if (!isObject(v)) continue;
      for (const src of ['configMap', 'secret']) if (isObject(v[src])) setDefault(v[src], 'defaultMode', 0o644);
      if (!Object.keys(v).some((k) => k !== 'name')) v.emptyDir = {};
    }
  }
}

export function defaultPodTemplate(template: unknown): void {
  if (!isObject(template)) return;
  defaultPodSpec(template.spec);
  if (isObject(template.spec)) mirrorServiceAccount(template.spec);
}

/** The account a pod runs as when it names none. */
export const defaultServiceAccountName = 'default';

const named = (v: unknown): v is string => typeof v === 'string' && v !== '';

/**
 * `serviceAccount` is the deprecated name of `serviceAccountName`: Kubernetes reads it only
 * when serviceAccountName is empty, and always writes both alike.
 */
export function mirrorServiceAccount(spec: Obj): void {
  if (!named(spec.serviceAccountName) && named(spec.serviceAccount)) spec.serviceAccountName = spec.serviceAccount;
  if (named(spec.serviceAccountName)) spec.serviceAccount = spec.serviceAccountName;
}

/**
 * What Kubernetes' ServiceAccount admission does to a new pod, less what Gantry cannot do
 * yet: a pod that names no account runs as `default`. No token volume is mounted (Gantry
 * issues no ServiceAccount tokens), and a pod naming an account that does not exist is not
 * refused: the ServiceAccount controller creates `default` shortly after its namespace, and
 * refusing until then would fail `kubectl run` right after `kubectl create namespace` (where
 * Kubernetes' admission retries its lookup for a while); an account matters to a pod only
 * through the token Gantry does not mount. Runs on create only: a pod's spec is immutable.
 */
export function admitPodServiceAccount(spec: unknown): void {
  if (!isObject(spec)) return;
  mirrorServiceAccount(spec);
  if (!named(spec.serviceAccountName)) spec.serviceAccountName = spec.serviceAccount = defaultServiceAccountName;
}
