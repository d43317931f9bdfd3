// metadata.managedFields as written by clients. Every write other than apply may set
// them (kubectl's client-side -> server-side apply migration replaces them with a JSON
// patch); what a client sends is checked here before it is stored, and the entries are
// kept in the order Kubernetes keeps them.

import { isObject, type ManagedFieldsEntry } from '../../common/api/meta.js';
import type { FieldCause } from '../../common/errors.js';
import type { FieldSet } from './fieldSet.js';

/** Kubernetes' limits (apimachinery ValidateManagedFields / ValidateFieldManager). */
const maxManagerLength = 128;
const maxSubresourceLength = 256;
/** FieldsV1 nests as deep as the object it describes; this bounds hostile input. */
const maxFieldSetDepth = 64;

/**
 * The managedFields a write starts from. Empty or missing means "keep what is stored", so
 * clients that do not know the field never wipe it; subresource writes never set them.
 */
export function explicitManagedFields(next: ManagedFieldsEntry[] | undefined, subresource: string | undefined): ManagedFieldsEntry[] | undefined {
  if (subresource || !Array.isArray(next) || next.length === 0) return undefined;
  return next;
}

/** Whether an entry owns nothing (such entries are dropped: `[{}]` is how clients clear managedFields). */
export function ownsNothing(e: ManagedFieldsEntry): boolean {
  return !isObject(e.fieldsV1) || Object.keys(e.fieldsV1).length === 0;
}

/** Field errors in client-supplied entries that own something (paths relative to metadata.managedFields). */
export function checkManagedFields(entries: ManagedFieldsEntry[]): FieldCause[] {
  const out: FieldCause[] = [];
  const slots = new Set<string>();
  entries.forEach((raw, i) => {
    const at = `metadata.managedFields[${i}]`;
    if (!isObject(raw)) {
      out.push({ reason: 'FieldValueInvalid', message: 'Invalid value: must be an object', field: at });
      return;
    }
    const e = raw as ManagedFieldsEntry;
    if (ownsNothing(e)) return;
    if (e.operation !== 'Apply' && e.operation !== 'Update') {
      out.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(e.operation ?? '')}: must be \`Apply\` or \`Update\``, field: `${at}.operation` });
    }
    if (e.fieldsType !== undefined && (e.fieldsType as string) !== '' && e.fieldsType !== 'FieldsV1') {
      out.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(e.fieldsType)}: must be \`FieldsV1\``, field: `${at}.fieldsType` });
    }
    const manager = typeof e.manager === 'string' ? e.manager : '';
    if (manager.length > maxManagerLength) {
      out.push({ reason: 'FieldValueTooLong', message: `Too long: may not be more than ${maxManagerLength} bytes`, field: `${at}.manager` });
    }
    if ([...manager].some((ch) => !/[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(ch))) {
      out.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(manager)}: must only contain printable characters`, field: `${at}.manager` });
    }
    if (typeof e.subresource === 'string' && e.subresource.length > maxSubresourceLength) {
      out.push({ reason: 'FieldValueTooLong', message: `Too long: may not be more than ${maxSubresourceLength} bytes`, field: `${at}.subresource` });
    }
    const problem = fieldSetProblem(e.fieldsV1, 0);
    if (problem) out.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${problem}`, field: `${at}.fieldsV1` });
    const slot = JSON.stringify([manager, e.operation, e.operation === 'Update' ? e.apiVersion ?? '' : '', e.subresource ?? '']);
    if (slots.has(slot)) out.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: manager ${JSON.stringify(manager)} with operation ${String(e.operation)} is listed twice`, field: `${at}` });
    slots.add(slot);
  });
  return out;
}

/** Why a value is not a FieldsV1 set, or undefined when it is one. */
function fieldSetProblem(value: unknown, depth: number): string | undefined {
  if (depth > maxFieldSetDepth) return `field set nested deeper than ${maxFieldSetDepth} levels`;
  if (!isObject(value)) return 'a field set must be an object';
  for (const [k, v] of Object.entries(value)) {
    if (k === '.') {
      if (!isObject(v) || Object.keys(v).length) return 'the "." marker must be an empty object';
      continue;
    }
    const prefix = k.slice(0, 2);
    if (prefix === 'k:' || prefix === 'v:' || prefix === 'i:') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(k.slice(2));
      } catch {
        return `${JSON.stringify(k)} does not hold JSON`;
      }
      if (prefix === 'k:' && !isObject(parsed)) return `${JSON.stringify(k)}: a key must be a JSON object`;
      if (prefix === 'i:' && !(typeof parsed === 'number' && Number.isInteger(parsed) && parsed >= 0)) return `${JSON.stringify(k)}: an index must be a non-negative integer`;
    } else if (prefix !== 'f:') {
      return `${JSON.stringify(k)} is not a path element (f:, k:, v:, i: or .)`;
    }
    const inner = fieldSetProblem(v, depth + 1);
    if (inner) return inner;
  }
  return undefined;
}

/** Kubernetes' order: Apply before Update, then oldest first, then by manager, version and subresource. */
export function sortManagedFields(entries: ManagedFieldsEntry[]): ManagedFieldsEntry[] {
  const seconds = (t: string | undefined): number => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);
  const cmp = (a: string | undefined, b: string | undefined): number => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);
  return [...entries].sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource, q.subresource),
  );
}

export function setOf(e: ManagedFieldsEntry): FieldSet {
  return (isObject(e.fieldsV1) ? e.fieldsV1 : {}) as FieldSet;
}
