// GET /openapi/v3 and /openapi/v3/<group-version> (see document.ts); GET /openapi/v2 (see v2.ts).

export { buildOpenApiDocument, buildOpenApiIndex, groupVersionPath, openApiV3 } from './document.js';
export type { OpenApiDocument, OpenApiIndex, OpenApiV3, ServedDocument } from './document.js';
export { patchContentTypes } from './operations.js';
export type { GroupVersionKind, OperationObject, PathItemObject } from './operations.js';
export { buildOpenApiV2, negotiateOpenApiV2, openApiV2ContentType, serveOpenApiV2 } from './v2.js';
export type { OpenApiV2 } from './v2.js';
export type { SwaggerDocument } from './swagger.js';
