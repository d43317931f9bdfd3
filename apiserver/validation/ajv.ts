// One Ajv instance configured for Kubernetes-style schemas: the OpenAPI formats
// Kubernetes uses, the `x-kubernetes-*` annotations as known (inert) keywords, and
// real checks for int-or-string and quantity values.

import { Ajv, _, type KeywordCxt } from 'ajv';
import formatsModule from 'ajv-formats';
import type { SchemaObject } from '../../common/schemas/index.js';
import { isQuantity } from './quantity.js';

// ajv-formats is a CommonJS module: under NodeNext its ESM default import is the
// module object, whose `default` is the plugin.
const addFormats = formatsModule.default;
export type AjvInstance = Ajv;

/** Keywords that only annotate (patch strategy, list types, GVKs); Ajv must know them in strict mode. */
const annotationKeywords = [
  'x-kubernetes-group-version-kind',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-patch-strategy',
  'x-kubernetes-patch-merge-key',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-embedded-resource',
  'components',
];

export const intOrStringKeyword = 'x-kubernetes-int-or-string';
export const quantityKeyword = 'x-gantry-quantity';

export function createAjv(): AjvInstance {
  const ajv = new Ajv({
    allErrors: true, // report every problem, not only the first
    strict: true,
    strictTypes: false, // Kubernetes schemas use `properties` beside allOf/$ref without repeating `type`
    validateFormats: true,
    messages: false, // messages are written from the error params in causes.ts
  });
  addFormats(ajv, ['date-time', 'byte', 'int32', 'int64', 'double', 'float']);
  // Kubernetes annotates IntOrString with this format; the keyword below does the check.
  ajv.addFormat('int-or-string', true);
  ajv.addVocabulary(annotationKeywords);

  ajv.addKeyword({
    keyword: intOrStringKeyword,
    schemaType: 'boolean',
    code(cxt: KeywordCxt) {
      const { data, schema, parentSchema } = cxt;
      // A quantity also accepts fractional numbers; its own keyword checks it.
      if (schema !== true || (parentSchema as SchemaObject)[quantityKeyword] === true) return;
      cxt.fail(_`typeof ${data} != "string" && !(typeof ${data} == "number" && Number.isInteger(${data}))`);
    },
  });
  ajv.addKeyword({
    keyword: quantityKeyword,
    schemaType: 'boolean',
    errors: false,
    validate: (schema: boolean, data: unknown) => !schema || isQuantity(data),
  });
  return ajv;
}
