// The request parameters of Kubernetes REST operations, as OpenAPI parameter objects.
// Always inlined (never $ref'd): kubectl looks for `fieldValidation` among a PATCH
// operation's own parameters to decide whether the server validates fields.

export interface ParameterObject {
  name: string;
  in: 'query' | 'path';
  description: string;
  required?: boolean;
  schema: { type: 'string' | 'integer' | 'boolean'; uniqueItems: true };
}

function query(name: string, type: ParameterObject['schema']['type'], description: string): ParameterObject {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

function pathParam(name: string, description: string): ParameterObject {
  return { name, in: 'path', required: true, description, schema: { type: 'string', uniqueItems: true } };
}

export const nameParam = pathParam('name', 'name of the object');
export const namespaceParam = pathParam('namespace', 'namespace of the object; namespaces scope names and access');
export const prettyParam = query('pretty', 'string', "If 'true', the output is indented for people.");

export const dryRunParam = query('dryRun', 'string', 'When set to All, the request is validated and processed but nothing is persisted.');
export const fieldManagerParam = query(
  'fieldManager',
  'string',
  'Name of the actor making the change, recorded in managedFields. Required for apply patches; at most 128 printable characters.',
);
export const fieldValidationParam = query(
  'fieldValidation',
  'string',
  'How the server treats fields the schema does not know, and duplicate fields: Ignore drops them silently, Warn (the default) drops them and answers with a Warning header per field, Strict rejects the request with a BadRequest listing every such field.',
);
export const forceParam = query(
  'force',
  'boolean',
  'For apply patches only: take ownership of fields owned by other managers instead of failing with a conflict.',
);

export const listParams: ParameterObject[] = [
  query('labelSelector', 'string', 'Only return objects whose labels match this selector. Defaults to everything.'),
  query('fieldSelector', 'string', 'Only return objects whose fields match this selector. Defaults to everything.'),
  query('watch', 'boolean', 'Stream ADDED, MODIFIED and DELETED events for the matching objects instead of listing them; start from resourceVersion.'),
  query('allowWatchBookmarks', 'boolean', 'Allow BOOKMARK events, which only carry a newer resourceVersion. Ignored unless watching.'),
  query('resourceVersion', 'string', 'The resourceVersion a list is served at, or after which a watch starts. Unset means the most recent.'),
  query('resourceVersionMatch', 'string', 'How resourceVersion applies to a list: Exact or NotOlderThan.'),
  query('timeoutSeconds', 'integer', 'Close the list or watch call after this many seconds, whatever the activity.'),
  query('limit', 'integer', 'Return at most this many objects; metadata.continue then holds a token for the next page. Not used when watching.'),
  query('continue', 'string', 'The token from a previous page of the same list call, to fetch the next page. Not used when watching.'),
  query('sendInitialEvents', 'boolean', 'With watch: begin with synthetic ADDED events for the current state, then a BOOKMARK.'),
];

export const writeParams: ParameterObject[] = [dryRunParam, fieldManagerParam, fieldValidationParam];

export const patchParams: ParameterObject[] = [...writeParams, forceParam];

export const deleteParams: ParameterObject[] = [
  dryRunParam,
  query('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted; zero deletes at once. Unset uses the kind default.'),
  query('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy. Whether dependents are orphaned rather than garbage collected.'),
  query('propagationPolicy', 'string', 'How dependents are garbage collected: Orphan, Background or Foreground.'),
];

/** Selects like a list (no watching) and deletes like a delete. */
export const deleteCollectionParams: ParameterObject[] = [
  ...listParams.filter((p) => !['watch', 'allowWatchBookmarks', 'sendInitialEvents'].includes(p.name)),
  ...deleteParams,
];
