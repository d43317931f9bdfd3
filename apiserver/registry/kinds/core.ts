// The smaller core kinds.

import { isObject } from '../../../common/api/meta.js';
import type { Strategy } from '../strategy.js';
import { validateConfigMap, validateConfigMapUpdate } from './configMapValidation.js';
import { validatePriorityClass, validatePriorityClassUpdate } from './priorityClassValidation.js';
import { validateSecret, validateSecretUpdate } from './secretValidation.js';
import { clusterIPNodePortCauses, prepareServiceUpdate, validateServiceUpdate } from './serviceUpdate.js';
import { validateService } from './serviceValidation.js';

export const namespaceStrategy: Strategy = {
  hasStatus: true,
  tracksGeneration: false,
  nameRule: 'label',
  defaults(obj) {
    const labels = (obj.metadata.labels ??= {});
    // Kubernetes labels every namespace with its own name (for namespace selectors).
    labels['kubernetes.io/metadata.name'] = obj.metadata.name ?? '';
    const spec = isObject(obj.spec) ? obj.spec : (obj.spec = {});
    spec.finalizers ??= ['kubernetes'];
  },
  prepareForCreate(obj) {
    obj.status = { phase: 'Active' };
  },
  prepareForUpdate(obj, old) {
    // Only namespaces/finalize changes spec.finalizers (the store skips this hook there): a
    // PUT or PATCH of the namespace keeps them, so no client empties a namespace's finalizers
    // and lets it go before the namespace controller has deleted its content.
    const spec = isObject(obj.spec) ? obj.spec : (obj.spec = {});
    const oldSpec = isObject(old.spec) ? old.spec : {};
    if (oldSpec.finalizers === undefined) delete spec.finalizers;
    else spec.finalizers = structuredClone(oldSpec.finalizers);
  },
  holdDeletion(obj) {
    // The namespace controller empties the namespace, then clears spec.finalizers via /finalize.
    const spec = isObject(obj.spec) ? obj.spec : {};
    if (!Array.isArray(spec.finalizers) || spec.finalizers.length === 0) return false;
    obj.status = { ...(isObject(obj.status) ? obj.status : {}), phase: 'Terminating' };
    return true;
  },
};

export const nodeStrategy: Strategy = { hasStatus: true, tracksGeneration: false };

export const serviceStrategy: Strategy = {
  hasStatus: true,
  tracksGeneration: false,
  // A service's name becomes a DNS label and an environment variable prefix: no leading digit.
  nameRule: 'dns1035Label',
  defaults(obj) {
    const spec = isObject(obj.spec) ? obj.spec : (obj.spec = {});
    spec.type ??= 'ClusterIP';
    spec.sessionAffinity ??= 'None';
    if (spec.sessionAffinity === 'ClientIP') spec.sessionAffinityConfig ??= { clientIP: { timeoutSeconds: 10800 } };
    // ExternalName services route nothing themselves: no traffic policies to default.
    if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ??= 'Cluster';
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
    if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
    // Clients that know only the singular field get the plural one filled in.
    if (typeof spec.clusterIP === 'string' && spec.clusterIP !== '' && !(Array.isArray(spec.clusterIPs) && spec.clusterIPs.length)) spec.clusterIPs = [spec.clusterIP];
    if (Array.isArray(spec.ports)) {
      for (const p of spec.ports) {
        if (!isObject(p)) continue;
        p.protocol ??= 'TCP';
        // Go clients send an unset targetPort as 0 or "".
        if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
      }
    }
  },
  prepareForCreate(obj) {
    obj.status = { loadBalancer: {} };
  },
  // Cluster IPs and node ports are claimed by the Service allocator (registry/allocators/).
  prepareForUpdate: prepareServiceUpdate,
  validate: (obj) => [...validateService(obj), ...clusterIPNodePortCauses(obj)],
  validateUpdate: validateServiceUpdate,
};

export const configMapStrategy: Strategy = {
  hasStatus: false,
  tracksGeneration: false,
  validate: validateConfigMap,
  validateUpdate: validateConfigMapUpdate,
};

export const secretStrategy: Strategy = {
  hasStatus: false,
  tracksGeneration: false,
  defaults(obj) {
    obj.type ??= 'Opaque';
    // stringData is a write-only convenience: it is merged into data and never stored.
    if (isObject(obj.stringData)) {
      const data = (isObject(obj.data) ? obj.data : (obj.data = {})) as Record<string, unknown>;
      for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
      delete obj.stringData;
    }
  },
  validate: validateSecret,
  validateUpdate: validateSecretUpdate,
};

export const priorityClassStrategy: Strategy = {
  hasStatus: false,
  tracksGeneration: false,
  defaults(obj) {
    obj.preemptionPolicy ??= 'PreemptLowerPriority';
  },
  validate: validatePriorityClass,
  validateUpdate: validatePriorityClassUpdate,
};

export const plainKinds: Strategy = { hasStatus: false, tracksGeneration: false };
