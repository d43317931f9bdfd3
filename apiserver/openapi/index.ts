// GET /openapi/v3 and /openapi/v3/<group-version> (see document.ts).

export { buildOpenApiDocument, buildOpenApiIndex, groupVersionPath, openApiV3 } from './document.js';
export type { OpenApiDocument, OpenApiIndex, OpenApiV3, ServedDocument } from './document.js';
export { patchContentTypes } from './operations.js';
export type { GroupVersionKind, OperationObject, PathItemObject } from './operations.js';
