// The PATCH flavours of the Kubernetes API, as pure functions over decoded JSON.

export { applyMergePatch } from './mergePatch.js';
export { applyJsonPatch, DEFAULT_MAX_PATCHED_BYTES, MAX_JSON_PATCH_OPERATIONS } from './jsonPatch.js';
export { applyStrategicMergePatch } from './strategicMergePatch.js';
export { type PatchMeta, type PatchStrategy, openApiPatchMeta, parsePatchStrategy, unknownPatchMeta } from './patchMeta.js';
export { MAX_PATCH_DEPTH } from './jsonValue.js';

/** The patch types (Kubernetes' `types.PatchType` are the media types themselves; short names read better here). */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const contentTypes: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** The patch type a PATCH request's Content-Type names (parameters such as `charset` ignored). */
export function patchTypeFromContentType(contentType: string): PatchType | undefined {
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  return Object.hasOwn(contentTypes, mediaType) ? contentTypes[mediaType] : undefined;
}
