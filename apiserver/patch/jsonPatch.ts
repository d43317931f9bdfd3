// JSON patch (RFC 6902), the `application/json-patch+json` patch type (`kubectl patch
// --type=json`, `kubectl rollout undo`). Operations run through fast-json-patch after
// checks of our own, and the errors mirror kube-apiserver's:
//   - a body that is not a list of operation objects: 400 BadRequest;
//   - more than 10,000 operations: 413 "The allowed maximum operations in a JSON patch
//     is 10000, got N" (the CVE-2019-1002100 fix);
//   - an operation that cannot apply (missing path, failed test, ...): 422 Invalid with
//     "the server rejected our request due to an error in our request". Kubernetes sends
//     no detail; we add one cause naming the operation, which kubectl prints.
// Work is bounded: copies may add at most `maxBytes` in total (Kubernetes bounds the
// accumulated copy size the same way), and a result larger than `maxBytes` is refused.

import jsonpatch from 'fast-json-patch';
import type { Operation, Validator } from 'fast-json-patch';
import { ApiError, BadRequestError, TooLargeError } from '../../common/errors.js';
import { MAX_PATCH_DEPTH, cloneJson, isObject } from './jsonValue.js';
import { addTargetProblem, isProperPrefix, parsePointer, resolvePointer } from './jsonPointer.js';

export const MAX_JSON_PATCH_OPERATIONS = 10_000;
/** etcd's default request limit, which is also what bounds a stored object in Kubernetes. */
export const DEFAULT_MAX_PATCHED_BYTES = 3 * 1024 * 1024;

const REJECTED = 'the server rejected our request due to an error in our request';
const RFC_OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/**
 * Applies an RFC 6902 patch (an array of operations) to `original`. Inputs are not
 * modified. Throws BadRequestError, TooLargeError or an `Invalid` ApiError (422).
 */
export function applyJsonPatch(original: unknown, patch: unknown, maxBytes: number = DEFAULT_MAX_PATCHED_BYTES): unknown {
  if (!Array.isArray(patch)) {
    throw new BadRequestError('a JSON patch must be a list of operations, e.g. [{"op":"replace","path":"/spec/replicas","value":3}]');
  }
  if (patch.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new TooLargeError(`Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${patch.length}`);
  }
  const ops = patch.map((raw, i) => {
    if (!isObject(raw)) throw new BadRequestError(`JSON patch operation ${i} is not an object: each operation needs "op" and "path"`);
    // Copied so the library, which stores operation values by reference, never ties the
    // result to the caller's patch (and so hostile nesting is refused up front).
    return cloneJson(raw, MAX_PATCH_DEPTH + 2) as Record<string, unknown>;
  });

  let doc: unknown = original === undefined ? undefined : structuredClone(original);
  let copiedBytes = 0;
  ops.forEach((raw, index) => {
    const op = checkOperation(raw, index);
    const path = parsePointer(op.path) ?? [];
    switch (op.op) {
      case 'add': {
        const problem = addTargetProblem(doc, path);
        if (problem) throw notApplicable(index, op, problem);
        break;
      }
      case 'remove':
      case 'replace':
      case 'test': {
        const at = resolvePointer(doc, path);
        if (!at.found) throw notApplicable(index, op, at.reason);
        break;
      }
      case 'move':
      case 'copy': {
        const from = parsePointer(op.from) ?? [];
        const source = resolvePointer(doc, from);
        if (!source.found) throw notApplicable(index, op, `doc is missing from path: ${op.from}`);
        if (op.op === 'move' && isProperPrefix(from, path)) throw notApplicable(index, op, 'a value cannot be moved into one of its children');
        const problem = addTargetProblem(doc, path);
        if (problem) throw notApplicable(index, op, problem);
        if (op.op === 'copy') {
          copiedBytes += serializedBytes(source.value);
          if (copiedBytes > maxBytes) {
            throw notApplicable(index, op, `Unable to complete the copy, the accumulated size increase of copy is ${copiedBytes}, exceeding the limit ${maxBytes}`);
          }
        }
        break;
      }
    }
    doc = run(doc, op, index);
  });

  const size = serializedBytes(doc);
  if (size > maxBytes) {
    throw new TooLargeError(`Request entity too large: the patched object would be ${size} bytes, limit is ${maxBytes}`);
  }
  return doc;
}

/** Validates the shape of one operation; every failure is a 422 like Kubernetes'. */
function checkOperation(raw: Record<string, unknown>, index: number): Operation & { from?: string; path: string } {
  const op = raw.op;
  if (typeof op !== 'string' || !RFC_OPS.has(op)) {
    throw invalid(index, raw, `unknown operation ${JSON.stringify(op)} (expected one of add, remove, replace, move, copy, test)`);
  }
  if (typeof raw.path !== 'string' || parsePointer(raw.path) === undefined) {
    throw invalid(index, raw, `invalid "path" ${JSON.stringify(raw.path)}: a JSON pointer such as "/spec/replicas" is required`);
  }
  if ((op === 'move' || op === 'copy') && (typeof raw.from !== 'string' || parsePointer(raw.from) === undefined)) {
    throw invalid(index, raw, `invalid "from" ${JSON.stringify(raw.from)}: ${op} needs a JSON pointer`);
  }
  if ((op === 'add' || op === 'replace' || op === 'test') && !Object.hasOwn(raw, 'value')) {
    throw invalid(index, raw, `${op} operation is missing "value"`);
  }
  // The shape is now that of an RFC 6902 operation.
  return raw as unknown as Operation & { from?: string; path: string };
}

/**
 * Runs one operation through fast-json-patch on our private copy. Paths were already
 * checked above; the library's own validation still guards the rest, except for
 * move/copy, whose document-wide validation clones the whole document per operation.
 */
function run(doc: unknown, op: Operation, index: number): unknown {
  const validate: Validator<unknown> = (operation, i, document, existing) => {
    if (operation.op === 'move' || operation.op === 'copy') jsonpatch.validator(operation, i);
    else jsonpatch.validator(operation, i, document, existing);
  };
  try {
    return jsonpatch.applyOperation(doc, op, validate, true, true, index).newDocument;
  } catch (e) {
    if (e instanceof jsonpatch.JsonPatchError && e.name === 'TEST_OPERATION_FAILED') {
      throw invalid(index, op, `testing value ${op.path} failed: test failed`, e);
    }
    const why = e instanceof Error ? e.message : String(e);
    throw notApplicable(index, op, why, e);
  }
}

function notApplicable(index: number, op: { op: unknown; path: unknown }, why: string, cause?: unknown): ApiError {
  return invalid(index, op, `jsonpatch ${String(op.op)} operation does not apply: ${why}`, cause);
}

function invalid(index: number, op: { path?: unknown }, message: string, cause?: unknown): ApiError {
  const field = typeof op.path === 'string' ? op.path : undefined;
  return new ApiError(
    'Invalid',
    REJECTED,
    { causes: [{ reason: 'FieldValueInvalid', message: `operation ${index}: ${message}`, ...(field !== undefined ? { field } : {}) }] },
    cause === undefined ? undefined : { cause },
  );
}

function serializedBytes(value: unknown): number {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? 0 : Buffer.byteLength(text);
  } catch {
    // Only nesting deep enough to exhaust the stack gets here.
    throw new BadRequestError('the patched object is nested too deeply to store');
  }
}
