// Checks that PersistentVolumes, PersistentVolumeClaims and a StatefulSet's claim templates
// share, worded as Kubernetes' storage validation words them: access modes, volume modes,
// storage quantities, class names and node selectors.

import { isObject } from '../../../common/api/meta.js';
import { checkSubdomain } from '../../../common/api/names.js';
import type { FieldCause } from '../../../common/errors.js';
import { tryParseQuantity, type Quantity } from '../../../common/quantity.js';
import { qualifiedNameErrors } from '../../../common/selectors/validation.js';
import { fieldErrors as fe } from '../../validation/fieldErrors.js';

export type Obj = Record<string, unknown>;

export const obj = (v: unknown): Obj => (isObject(v) ? v : {});
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** Go's empty string: absent, null and "" are all unset. */
export const unset = (v: unknown): boolean => v === undefined || v === null || v === '';

export const accessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'] as const;
export const volumeModes = ['Block', 'Filesystem'] as const;

/** Every listed mode supported; ReadWriteOncePod alone. `required` carries Kubernetes' detail for an empty list. */
export function validateAccessModes(modes: unknown, path: string, requiredDetail?: string): FieldCause[] {
  const given = list(modes);
  if (given.length === 0) return [fe.required(path, requiredDetail)];
  const out: FieldCause[] = [];
  for (const m of given) if (!(accessModes as readonly unknown[]).includes(m)) out.push(fe.notSupported(path, m, accessModes));
  if (given.includes('ReadWriteOncePod') && given.length > 1) out.push(fe.forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return out;
}

export function validateVolumeMode(mode: unknown, path: string): FieldCause[] {
  if (unset(mode)) return [];
  return (volumeModes as readonly unknown[]).includes(mode) ? [] : [fe.notSupported(path, mode, volumeModes)];
}

export function validateStorageClassName(name: unknown, path: string): FieldCause[] {
  if (unset(name) || typeof name !== 'string') return [];
  return checkSubdomain(name).map((m) => fe.invalid(path, name, m));
}

/** A storage quantity, parsed; undefined when absent or not a quantity (the schema reports the latter). */
export function storageQuantity(v: unknown): Quantity | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const parsed = tryParseQuantity(v);
  return parsed.ok ? parsed.quantity : undefined;
}

/** A storage size must be positive: a zero-sized volume or claim is a mistake, not a choice. */
export function validatePositiveStorage(v: unknown, path: string): FieldCause[] {
  const q = storageQuantity(v);
  if (!q) return [];
  return q.sign() > 0 ? [] : [fe.invalid(path, v, 'must be greater than zero')];
}

const nodeSelectorOperators = ['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'] as const;

/** A NodeSelector (a PV's nodeAffinity.required): terms ORed, each term's requirements ANDed. */
export function validateNodeSelector(selector: unknown, path: string): FieldCause[] {
  const terms = list(obj(selector).nodeSelectorTerms);
  if (terms.length === 0) return [fe.required(`${path}.nodeSelectorTerms`, 'must have at least one node selector term')];
  const out: FieldCause[] = [];
  terms.forEach((t, i) => {
    for (const kind of ['matchExpressions', 'matchFields'] as const) {
      list(obj(t)[kind]).forEach((r, j) => {
        const req = obj(r);
        const at = `${path}.nodeSelectorTerms[${i}].${kind}[${j}]`;
        const values = list(req.values);
        if (typeof req.key !== 'string' || req.key === '') out.push(fe.required(`${at}.key`));
        else if (kind === 'matchExpressions') for (const m of qualifiedNameErrors(req.key)) out.push(fe.invalid(`${at}.key`, req.key, m));
        switch (req.operator) {
          case 'In':
          case 'NotIn':
            if (values.length === 0) out.push(fe.required(`${at}.values`, 'must be specified when `operator` is \'In\' or \'NotIn\''));
            break;
          case 'Exists':
          case 'DoesNotExist':
            if (values.length > 0) out.push(fe.forbidden(`${at}.values`, 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''));
            break;
          case 'Gt':
          case 'Lt':
            if (values.length !== 1) out.push(fe.required(`${at}.values`, 'must be specified single value when `operator` is \'Lt\' or \'Gt\''));
            break;
          default:
            out.push(fe.notSupported(`${at}.operator`, req.operator ?? '', nodeSelectorOperators));
        }
      });
    }
  });
  return out;
}
