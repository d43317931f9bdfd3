// The smaller core kinds.

import { isObject } from '../../../common/api/meta.js';
import type { Strategy } from '../strategy.js';

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
  nameRule: 'label',
  defaults(obj) {
    const spec = isObject(obj.spec) ? obj.spec : (obj.spec = {});
    spec.type ??= 'ClusterIP';
    spec.sessionAffinity ??= 'None';
    spec.internalTrafficPolicy ??= 'Cluster';
    if (Array.isArray(spec.ports)) {
      for (const p of spec.ports) {
        if (!isObject(p)) continue;
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
      }
    }
  },
  prepareForCreate(obj) {
    obj.status = { loadBalancer: {} };
  },
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
  validate(obj) {
    const out = [];
    for (const [k, v] of Object.entries(isObject(obj.data) ? obj.data : {})) {
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) {
        out.push({ reason: 'FieldValueInvalid', message: 'Invalid value: illegal base64 data', field: `data[${k}]` });
      }
    }
    return out;
  },
};

export const plainKinds: Strategy = { hasStatus: false, tracksGeneration: false };
