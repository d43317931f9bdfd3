// Generates common/schemas/definitions.json: Kubernetes-style OpenAPI v3 component
// schemas for every built-in kind and everything they reference, built from the model
// metadata that @kubernetes/client-node ships (attributeTypeMap in each X.js for types
// and formats, JSDoc in each X.d.ts for descriptions and `?` for optional fields).
//
// Run by hand after changing builtinResources or upgrading client-node:
//   npx tsx scripts/gen-schemas.ts
// The output is committed, so neither the build nor the server depends on this script.

import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { builtinResources, groupVersions, reviewResources } from '../common/api/resources.js';
import type { SchemaObject } from '../common/schemas/schema-object.js';

const require = createRequire(import.meta.url);
const modelsDir = path.join(path.dirname(require.resolve('@kubernetes/client-node/package.json')), 'dist/gen/models');
const outFile = fileURLToPath(new URL('../common/schemas/definitions.json', import.meta.url));

const REF_PREFIX = '#/components/schemas/';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

// ---------------------------------------------------------------------------------
// Names: client-node class names -> Kubernetes definition names.
// ---------------------------------------------------------------------------------

/** apimachinery types client-node names with a bare V1 prefix. */
const metaKinds = new Set([
  'ObjectMeta',
  'ListMeta',
  'OwnerReference',
  'ManagedFieldsEntry',
  'LabelSelector',
  'LabelSelectorRequirement',
  'Condition',
  'Status',
  'StatusDetails',
  'StatusCause',
  'DeleteOptions',
  'Preconditions',
  'WatchEvent',
  'FieldSelectorRequirement',
]);

/**
 * Kinds outside core/v1 that client-node names with a bare V1 prefix, by API package.
 * Everything else with a bare V1 prefix that the closure reaches is core/v1; the
 * generator refuses classes with any other prefix so a new one is noticed.
 */
const packageOfV1Kind: Record<string, string> = {
  Deployment: 'apps',
  DeploymentList: 'apps',
  DeploymentSpec: 'apps',
  DeploymentStatus: 'apps',
  DeploymentStrategy: 'apps',
  DeploymentCondition: 'apps',
  RollingUpdateDeployment: 'apps',
  ReplicaSet: 'apps',
  ReplicaSetList: 'apps',
  ReplicaSetSpec: 'apps',
  ReplicaSetStatus: 'apps',
  ReplicaSetCondition: 'apps',
  DaemonSet: 'apps',
  DaemonSetList: 'apps',
  DaemonSetSpec: 'apps',
  DaemonSetStatus: 'apps',
  DaemonSetCondition: 'apps',
  DaemonSetUpdateStrategy: 'apps',
  RollingUpdateDaemonSet: 'apps',
  ControllerRevision: 'apps',
  ControllerRevisionList: 'apps',
  StatefulSet: 'apps',
  StatefulSetList: 'apps',
  StatefulSetSpec: 'apps',
  StatefulSetStatus: 'apps',
  StatefulSetCondition: 'apps',
  StatefulSetOrdinals: 'apps',
  StatefulSetPersistentVolumeClaimRetentionPolicy: 'apps',
  StatefulSetUpdateStrategy: 'apps',
  RollingUpdateStatefulSetStrategy: 'apps',
  StorageClass: 'storage',
  StorageClassList: 'storage',
  Job: 'batch',
  JobList: 'batch',
  JobSpec: 'batch',
  JobStatus: 'batch',
  JobCondition: 'batch',
  JobTemplateSpec: 'batch',
  CronJob: 'batch',
  CronJobList: 'batch',
  CronJobSpec: 'batch',
  CronJobStatus: 'batch',
  PodFailurePolicy: 'batch',
  PodFailurePolicyRule: 'batch',
  PodFailurePolicyOnExitCodesRequirement: 'batch',
  PodFailurePolicyOnPodConditionsPattern: 'batch',
  SuccessPolicy: 'batch',
  SuccessPolicyRule: 'batch',
  UncountedTerminatedPods: 'batch',
  Lease: 'coordination',
  LeaseList: 'coordination',
  LeaseSpec: 'coordination',
  PriorityClass: 'scheduling',
  PriorityClassList: 'scheduling',
  Scale: 'autoscaling',
  ScaleSpec: 'autoscaling',
  ScaleStatus: 'autoscaling',
  Eviction: 'policy',
  PodDisruptionBudget: 'policy',
  PodDisruptionBudgetList: 'policy',
  PodDisruptionBudgetSpec: 'policy',
  PodDisruptionBudgetStatus: 'policy',
  SelfSubjectAccessReview: 'authorization',
  SelfSubjectAccessReviewSpec: 'authorization',
  ResourceAttributes: 'authorization',
  NonResourceAttributes: 'authorization',
  FieldSelectorAttributes: 'authorization',
  LabelSelectorAttributes: 'authorization',
  SubjectAccessReviewStatus: 'authorization',
  SelfSubjectRulesReview: 'authorization',
  SelfSubjectRulesReviewSpec: 'authorization',
  SubjectRulesReviewStatus: 'authorization',
  ResourceRule: 'authorization',
  NonResourceRule: 'authorization',
  SelfSubjectReview: 'authentication',
  SelfSubjectReviewStatus: 'authentication',
  UserInfo: 'authentication',
  EndpointSlice: 'discovery',
  EndpointSliceList: 'discovery',
  Endpoint: 'discovery',
  EndpointConditions: 'discovery',
  EndpointHints: 'discovery',
  ForZone: 'discovery',
  ForNode: 'discovery',
  CertificateSigningRequest: 'certificates',
  CertificateSigningRequestList: 'certificates',
  CertificateSigningRequestSpec: 'certificates',
  CertificateSigningRequestStatus: 'certificates',
  CertificateSigningRequestCondition: 'certificates',
};

/** Class-name prefixes client-node uses to disambiguate kinds with the same name. */
const prefixedPackages: Record<string, string> = { Core: 'core', Discovery: 'discovery' };

function definitionOfClass(className: string): string {
  const m = /^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$/.exec(className);
  if (!m) throw new Error(`cannot name class ${className}`);
  const [, prefix, version, kind] = m as unknown as [string, string | undefined, string, string];
  const v = version.toLowerCase();
  if (prefix !== undefined) {
    const pkg = prefixedPackages[prefix];
    if (!pkg) throw new Error(`class ${className}: unknown package prefix ${prefix}; extend prefixedPackages`);
    return `io.k8s.api.${pkg}.${v}.${kind}`;
  }
  if (metaKinds.has(kind)) return `${META}.${kind}`;
  return `io.k8s.api.${packageOfV1Kind[kind] ?? 'core'}.${v}.${kind}`;
}

/** Scalar types that Kubernetes names; client-node flattens them to Date/string/IntOrString. */
const TIME = `${META}.Time`;
const MICRO_TIME = `${META}.MicroTime`;
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const PATCH = `${META}.Patch`;

// Descriptions are ours (client-node does not ship these named scalars).
const namedScalars: Record<string, SchemaObject> = {
  [TIME]: {
    description: 'Time is a timestamp in RFC 3339 form (e.g. 2024-01-02T15:04:05Z), serialized with second precision.',
    type: 'string',
    format: 'date-time',
  },
  [MICRO_TIME]: {
    description: 'MicroTime is a timestamp in RFC 3339 form with microsecond precision.',
    type: 'string',
    format: 'date-time',
  },
  [INT_OR_STRING]: {
    description: 'IntOrString holds either an integer or a string, such as a port number or a port name, or a percentage like "25%".',
    format: 'int-or-string',
    'x-kubernetes-int-or-string': true,
  },
  [QUANTITY]: {
    description:
      'Quantity is a fixed-point amount with an optional suffix: binary SI (Ki, Mi, Gi, Ti, Pi, Ei), decimal SI (n, u, m, "", k, M, G, T, P, E) or a decimal exponent (1e3, 1E-3). It may be written as a JSON number or a string, e.g. 1, 0.5, "100m", "2Gi".',
    'x-kubernetes-int-or-string': true,
    'x-gantry-quantity': true,
  },
  // The body of every PATCH operation in /openapi/v3; its shape depends on the content type.
  [PATCH]: {
    description: 'Patch is the body of a PATCH request: a JSON patch, a JSON merge patch, a strategic merge patch or an apply configuration, as named by the Content-Type.',
    type: 'object',
  },
};

// ---------------------------------------------------------------------------------
// Facts client-node does not carry, kept as explicit tables (checked against the
// upstream API types' markers). Keys are client-node class names and wire field names.
// ---------------------------------------------------------------------------------

type FieldExtras = Record<string, unknown>;

/** A list merged by `key` in strategic merge patch, and a map-list for server-side apply. */
function mergeByKey(key: string, mapKeys: string[] = [key], strategy = 'merge'): FieldExtras {
  return {
    'x-kubernetes-patch-strategy': strategy,
    'x-kubernetes-patch-merge-key': key,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': mapKeys,
  };
}
/** A list of scalars merged as a set. */
const mergeSet: FieldExtras = { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' };
/** A list replaced as a whole (the default for lists without patch metadata). */
const atomic: FieldExtras = { 'x-kubernetes-list-type': 'atomic' };

const fieldExtras: Record<string, Record<string, FieldExtras>> = {
  V1ObjectMeta: {
    finalizers: mergeSet,
    ownerReferences: mergeByKey('uid'),
    managedFields: atomic,
  },
  V1PodSpec: {
    containers: mergeByKey('name'),
    initContainers: mergeByKey('name'),
    ephemeralContainers: mergeByKey('name'),
    // retainKeys: switching a volume's source (emptyDir -> configMap) drops the old one.
    volumes: mergeByKey('name', ['name'], 'merge,retainKeys'),
    imagePullSecrets: mergeByKey('name'),
    hostAliases: mergeByKey('ip'),
    schedulingGates: mergeByKey('name'),
    resourceClaims: mergeByKey('name', ['name'], 'merge,retainKeys'),
    topologySpreadConstraints: mergeByKey('topologyKey', ['topologyKey', 'whenUnsatisfiable']),
    tolerations: atomic,
    readinessGates: atomic,
    nodeSelector: { 'x-kubernetes-map-type': 'atomic' },
  },
  V1Container: containerExtras(),
  V1EphemeralContainer: containerExtras(),
  V1ResourceRequirements: { claims: { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] } },
  V1PodStatus: {
    conditions: mergeByKey('type'),
    podIPs: mergeByKey('ip'),
    hostIPs: { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'ip', ...atomic },
    resourceClaimStatuses: mergeByKey('name', ['name'], 'merge,retainKeys'),
    containerStatuses: atomic,
    initContainerStatuses: atomic,
    ephemeralContainerStatuses: atomic,
  },
  V1NodeSpec: { podCIDRs: mergeSet, taints: atomic },
  V1NodeStatus: {
    conditions: mergeByKey('type'),
    addresses: mergeByKey('type'),
    images: atomic,
    volumesInUse: atomic,
    volumesAttached: atomic,
  },
  // Service ports merge on the port number, while SSA keys them by (port, protocol).
  V1ServiceSpec: { ports: mergeByKey('port', ['port', 'protocol']), clusterIPs: atomic, externalIPs: atomic, ipFamilies: atomic },
  V1ServiceStatus: { conditions: mergeByKey('type') },
  V1NamespaceSpec: { finalizers: atomic },
  V1NamespaceStatus: { conditions: mergeByKey('type') },
  V1ServiceAccount: { secrets: mergeByKey('name'), imagePullSecrets: atomic },
  V1EndpointSubset: { addresses: atomic, notReadyAddresses: atomic, ports: atomic },
  V1Endpoints: { subsets: atomic },
  V1EndpointSlice: { endpoints: atomic, ports: atomic },
  V1Endpoint: { addresses: { 'x-kubernetes-list-type': 'set' } },
  V1EndpointHints: { forZones: atomic, forNodes: atomic },
  V1DeploymentSpec: {
    // retainKeys: switching strategy type to Recreate drops rollingUpdate.
    strategy: { 'x-kubernetes-patch-strategy': 'retainKeys' },
  },
  V1DeploymentStatus: { conditions: mergeByKey('type') },
  V1ReplicaSetStatus: { conditions: mergeByKey('type') },
  V1DaemonSetStatus: { conditions: mergeByKey('type') },
  V1StatefulSetSpec: { volumeClaimTemplates: atomic },
  V1StatefulSetStatus: { conditions: mergeByKey('type') },
  V1PersistentVolumeSpec: { accessModes: atomic, mountOptions: atomic },
  V1PersistentVolumeClaimSpec: { accessModes: atomic },
  V1PersistentVolumeClaimStatus: { accessModes: atomic, conditions: mergeByKey('type') },
  V1StorageClass: { mountOptions: atomic, allowedTopologies: atomic },
  V1TopologySelectorTerm: { matchLabelExpressions: atomic },
  V1TopologySelectorLabelRequirement: { values: atomic },
  V1PodDisruptionBudgetStatus: { conditions: mergeByKey('type') },
  // Job conditions merge by type in strategic merge patch but are atomic for server-side apply upstream.
  V1JobStatus: { conditions: { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'type', ...atomic } },
  V1UncountedTerminatedPods: { succeeded: { 'x-kubernetes-list-type': 'set' }, failed: { 'x-kubernetes-list-type': 'set' } },
  V1PodFailurePolicy: { rules: atomic },
  V1PodFailurePolicyRule: { onPodConditions: atomic },
  V1PodFailurePolicyOnExitCodesRequirement: { values: { 'x-kubernetes-list-type': 'set' } },
  V1SuccessPolicy: { rules: atomic },
  V1CronJobStatus: { active: atomic },
  V1CertificateSigningRequestSpec: { usages: atomic, groups: atomic },
  V1CertificateSigningRequestStatus: { conditions: { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] } },
  V1LabelSelector: { matchExpressions: atomic },
  V1LabelSelectorRequirement: { values: atomic },
};

function containerExtras(): Record<string, FieldExtras> {
  return {
    // Merge on containerPort; SSA keys ports by (containerPort, protocol).
    ports: mergeByKey('containerPort', ['containerPort', 'protocol']),
    env: mergeByKey('name'),
    volumeMounts: mergeByKey('mountPath'),
    volumeDevices: mergeByKey('devicePath'),
    // envFrom has no merge key in Kubernetes: it is replaced as a whole.
    envFrom: atomic,
    command: atomic,
    args: atomic,
    resizePolicy: atomic,
  };
}

/** Types that server-side apply treats as one value (structType=atomic upstream). */
const atomicStructs = new Set(['V1LabelSelector', 'V1ObjectReference', 'V1LocalObjectReference']);

/**
 * Fields that are Kubernetes Quantities (or maps of them) but that client-node types as
 * plain strings. Manifests often write them as numbers (`cpu: 1`), so they must accept
 * both; the validator checks the quantity grammar through `x-gantry-quantity`.
 * The generator fails if a listed field does not exist, and warns about unlisted
 * fields whose description mentions a quantity.
 */
const quantityFields: Record<string, string[]> = {
  V1ResourceRequirements: ['limits', 'requests'],
  V1VolumeResourceRequirements: ['limits', 'requests'],
  V1EmptyDirVolumeSource: ['sizeLimit'],
  V1ResourceFieldSelector: ['divisor'],
  V1PodSpec: ['overhead'],
  V1NodeStatus: ['capacity', 'allocatable'],
  V1ContainerStatus: ['allocatedResources'],
  V1PersistentVolumeClaimStatus: ['capacity', 'allocatedResources'],
  V1PersistentVolumeSpec: ['capacity'],
};

// ---------------------------------------------------------------------------------
// Reading client-node models.
// ---------------------------------------------------------------------------------

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

interface ModelDoc {
  description?: string;
  /** By TypeScript property name. */
  properties: Map<string, { description?: string; optional: boolean }>;
}

interface Model {
  className: string;
  attributes: Attribute[];
  doc: ModelDoc;
}

function isAttribute(v: unknown): v is Attribute {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as Record<string, unknown>;
  return typeof a.name === 'string' && typeof a.baseName === 'string' && typeof a.type === 'string' && typeof a.format === 'string';
}

async function loadAttributes(className: string): Promise<Attribute[]> {
  const mod: unknown = await import(pathToFileURL(path.join(modelsDir, `${className}.js`)).href);
  const cls = (mod as Record<string, unknown>)[className];
  const map = (cls as { attributeTypeMap?: unknown } | undefined)?.attributeTypeMap;
  if (!Array.isArray(map) || !map.every(isAttribute)) throw new Error(`${className}.js has no attributeTypeMap`);
  return map;
}

/** Upstream descriptions arrive with JS string escapes (\" \') left in the JSDoc text. */
function cleanDescription(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const t = text.replace(/\\(["'\\])/g, '$1').trim();
  return t === '' ? undefined : t;
}

function jsDocText(node: ts.Node): string | undefined {
  const parts: string[] = [];
  for (const doc of ts.getJSDocCommentsAndTags(node)) {
    if (ts.isJSDoc(doc)) {
      const text = ts.getTextOfJSDocComment(doc.comment);
      if (text) parts.push(text);
    }
  }
  return cleanDescription(parts.join('\n'));
}

async function loadDoc(className: string): Promise<ModelDoc> {
  const file = path.join(modelsDir, `${className}.d.ts`);
  const source = ts.createSourceFile(file, await readFile(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  for (const stmt of source.statements) {
    if (!ts.isClassDeclaration(stmt) || stmt.name?.text !== className) continue;
    const properties = new Map<string, { description?: string; optional: boolean }>();
    for (const member of stmt.members) {
      if (!ts.isPropertyDeclaration(member)) continue;
      if (member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) continue;
      const name = ts.isStringLiteral(member.name) || ts.isIdentifier(member.name) ? member.name.text : undefined;
      if (name === undefined) continue;
      const description = jsDocText(member);
      properties.set(name, { optional: member.questionToken !== undefined, ...(description ? { description } : {}) });
    }
    const description = jsDocText(stmt);
    return { properties, ...(description ? { description } : {}) };
  }
  throw new Error(`${className}.d.ts declares no class ${className}`);
}

async function loadModel(className: string): Promise<Model> {
  const [attributes, doc] = await Promise.all([loadAttributes(className), loadDoc(className)]);
  return { className, attributes, doc };
}

// ---------------------------------------------------------------------------------
// Building schemas.
// ---------------------------------------------------------------------------------

function ref(name: string): SchemaObject {
  return { $ref: REF_PREFIX + name };
}

/**
 * A property that points at a named schema. OpenAPI 3.0 ignores siblings of $ref, so,
 * like Kubernetes, wrap the reference in allOf when the property has its own description.
 */
function refProperty(name: string, description: string | undefined): SchemaObject {
  return description ? { allOf: [ref(name)], description } : ref(name);
}

/** Schema for one client-node type string; `enqueue` collects referenced classes. */
function typeSchema(type: string, format: string, quantity: boolean, enqueue: (cls: string) => void): SchemaObject {
  let m = /^Array<(.+)>$/.exec(type);
  if (m) return { type: 'array', items: typeSchema(m[1]!, format, quantity, enqueue) };
  m = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (m) return { type: 'object', additionalProperties: typeSchema(m[1]!, format, quantity, enqueue) };
  switch (type) {
    case 'string':
      if (quantity) return ref(QUANTITY);
      return format ? { type: 'string', format } : { type: 'string' };
    case 'number':
      if (format === 'int32' || format === 'int64') return { type: 'integer', format };
      return format ? { type: 'number', format } : { type: 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case 'Date':
      return ref(format === 'date-time-micro' ? MICRO_TIME : TIME);
    case 'V1MicroTime': // a type name without a model file
      return ref(MICRO_TIME);
    case 'IntOrString':
      return ref(INT_OR_STRING);
    case 'any':
      return { 'x-kubernetes-preserve-unknown-fields': true };
    default:
      if (!/^[A-Z]\w+$/.test(type)) throw new Error(`unsupported client-node type ${JSON.stringify(type)}`);
      enqueue(type);
      return ref(definitionOfClass(type));
  }
}

function propertySchema(model: Model, attr: Attribute, enqueue: (cls: string) => void): SchemaObject {
  const description = model.doc.properties.get(attr.name)?.description;
  const quantity = quantityFields[model.className]?.includes(attr.baseName) ?? false;
  const schema = typeSchema(attr.type, attr.format, quantity, enqueue);
  const extras = fieldExtras[model.className]?.[attr.baseName] ?? {};
  if (typeof schema.$ref === 'string') {
    const wrapped = refProperty(schema.$ref.slice(REF_PREFIX.length), description);
    return { ...wrapped, ...extras };
  }
  return { ...(description ? { description } : {}), ...schema, ...extras };
}

function objectSchema(model: Model, enqueue: (cls: string) => void): SchemaObject {
  const properties: Record<string, SchemaObject> = {};
  const required: string[] = [];
  for (const attr of model.attributes) {
    properties[attr.baseName] = propertySchema(model, attr, enqueue);
    const doc = model.doc.properties.get(attr.name);
    if (!doc) throw new Error(`${model.className}.d.ts lacks property ${attr.name}`);
    if (!doc.optional) required.push(attr.baseName);
  }
  const schema: SchemaObject = {
    ...(model.doc.description ? { description: model.doc.description } : {}),
    type: 'object',
    properties,
  };
  if (required.length > 0) schema.required = required;
  if (atomicStructs.has(model.className)) schema['x-kubernetes-map-type'] = 'atomic';
  return schema;
}

function classOfDefinition(definition: string): string {
  const m = /^io\.k8s\.(?:api\.([a-z]+)|apimachinery\.pkg\.apis\.(meta))\.(v\d+(?:alpha\d+|beta\d+)?)\.(\w+)$/.exec(definition);
  if (!m) throw new Error(`cannot map definition ${definition} to a client-node class`);
  const pkg = m[1] ?? m[2]!;
  // v1 -> V1, v1beta1 -> V1beta1 (client-node's class prefixes).
  const version = `V${m[3]!.slice(1)}`;
  const kind = m[4]!;
  const candidates = [`${pkg[0]!.toUpperCase()}${pkg.slice(1)}${version}${kind}`, `${version}${kind}`];
  for (const c of candidates) if (modelExists(c) && definitionOfClass(c) === definition) return c;
  throw new Error(`no client-node class for ${definition} (tried ${candidates.join(', ')})`);
}

const existing = new Set<string>();
function modelExists(className: string): boolean {
  return existing.has(className);
}

interface GVK {
  group: string;
  version: string;
  kind: string;
}

async function main(): Promise<void> {
  for (const f of await readdir(modelsDir)) if (f.endsWith('.d.ts')) existing.add(f.slice(0, -'.d.ts'.length));

  const gvkOf = new Map<string, GVK[]>();
  const roots: string[] = [];
  const addRoot = (definition: string, gvk: GVK[]): void => {
    roots.push(classOfDefinition(definition));
    gvkOf.set(definition, gvk);
  };

  for (const r of builtinResources) {
    addRoot(r.definition, [{ group: r.group, version: r.version, kind: r.kind }]);
    addRoot(`${r.definition}List`, [{ group: r.group, version: r.version, kind: r.listKind }]);
  }
  // Create-only review kinds: no lists.
  for (const r of reviewResources) addRoot(r.definition, [{ group: r.group, version: r.version, kind: r.kind }]);
  // Kinds the API server uses for subresources and replies.
  addRoot('io.k8s.api.autoscaling.v1.Scale', [{ group: 'autoscaling', version: 'v1', kind: 'Scale' }]);
  addRoot('io.k8s.api.policy.v1.Eviction', [{ group: 'policy', version: 'v1', kind: 'Eviction' }]);
  addRoot('io.k8s.api.core.v1.Binding', [{ group: '', version: 'v1', kind: 'Binding' }]);
  addRoot(`${META}.Status`, [{ group: '', version: 'v1', kind: 'Status' }]);
  // DeleteOptions and WatchEvent are sent in every group-version, so they carry one GVK per group-version.
  const everyGV = [...groupVersions(builtinResources), { group: 'autoscaling', version: 'v1' }, { group: 'policy', version: 'v1' }];
  const uniqueGV = [...new Map(everyGV.map((gv) => [`${gv.group}/${gv.version}`, gv])).values()];
  addRoot(`${META}.DeleteOptions`, uniqueGV.map((gv) => ({ ...gv, kind: 'DeleteOptions' })));
  addRoot(`${META}.WatchEvent`, uniqueGV.map((gv) => ({ ...gv, kind: 'WatchEvent' })));

  const definitions: Record<string, SchemaObject> = { ...namedScalars };
  const models = new Map<string, Model>();
  const queue = [...roots];
  const enqueue = (cls: string): void => {
    if (!models.has(cls)) queue.push(cls);
  };
  while (queue.length > 0) {
    const cls = queue.shift()!;
    if (models.has(cls)) continue;
    const model = await loadModel(cls);
    models.set(cls, model);
    const name = definitionOfClass(cls);
    const schema = objectSchema(model, enqueue);
    const gvk = gvkOf.get(name);
    if (gvk) schema['x-kubernetes-group-version-kind'] = gvk;
    definitions[name] = schema;
  }

  describeReferences(definitions);
  checkTables(models);
  warnUnlistedQuantities(models);

  const sorted: Record<string, SchemaObject> = {};
  for (const k of Object.keys(definitions).sort()) sorted[k] = definitions[k]!;
  await writeFile(outFile, `${JSON.stringify(sorted, null, 2)}\n`);
  process.stdout.write(`wrote ${Object.keys(sorted).length} definitions to ${path.relative(process.cwd(), outFile)}\n`);
}

/**
 * client-node keeps no description for fields that point at another model
 * (`metadata`, `spec`, `securityContext`, ...). `kubectl explain` shows a field's own
 * description, so borrow the referenced type's description rather than show nothing.
 */
function describeReferences(definitions: Record<string, SchemaObject>): void {
  for (const schema of Object.values(definitions)) {
    for (const [field, prop] of Object.entries(schema.properties ?? {})) {
      if (typeof prop.$ref !== 'string' || prop.description !== undefined) continue;
      const { $ref, ...extras } = prop;
      const description = definitions[$ref.slice(REF_PREFIX.length)]?.description;
      if (description) schema.properties![field] = { ...refProperty($ref.slice(REF_PREFIX.length), description), ...extras };
    }
  }
}

/** Every entry in the hand-kept tables must name an existing class and, if reached, an existing field. */
function checkTables(models: Map<string, Model>): void {
  const tables: [string, Record<string, readonly string[]>][] = [
    ['fieldExtras', Object.fromEntries(Object.entries(fieldExtras).map(([c, f]) => [c, Object.keys(f)]))],
    ['quantityFields', quantityFields],
  ];
  for (const [table, entries] of tables) {
    for (const [cls, fields] of Object.entries(entries)) {
      if (!modelExists(cls)) throw new Error(`${table}: no client-node class ${cls}`);
      // Classes outside the closure are allowed: they enter when kinds are added.
      const model = models.get(cls);
      if (!model) continue;
      for (const f of fields) {
        if (!model.attributes.some((a) => a.baseName === f)) throw new Error(`${table}: ${cls} has no field ${f}`);
      }
    }
  }
}

function warnUnlistedQuantities(models: Map<string, Model>): void {
  for (const [cls, m] of models) {
    for (const a of m.attributes) {
      const desc = m.doc.properties.get(a.name)?.description ?? '';
      const stringish = a.type === 'string' || a.type === '{ [key: string]: string; }';
      if (stringish && /\bquantit/i.test(desc) && !quantityFields[cls]?.includes(a.baseName)) {
        process.stderr.write(`note: ${cls}.${a.baseName} mentions a quantity but is not in quantityFields\n`);
      }
    }
  }
}

await main();
