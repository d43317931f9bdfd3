// Validation of a controller's section of the config file (`controllerOptions.<name>`):
// ajv over a flat schema of optional settings, failing with every problem named.

import { Ajv } from 'ajv';

type PropertySchema = { type: 'integer' | 'string' | 'array'; minimum?: number; maximum?: number; nullable: true; items?: { type: 'string'; minLength?: number } };

const ajv = new Ajv({ allErrors: true });

export function optionsValidator<T>(controller: string, properties: Record<keyof T & string, PropertySchema>): (options: unknown) => T {
  const check = ajv.compile({ type: 'object', properties, additionalProperties: false });
  return (options) => {
    if (check(options)) return options as T;
    const problems = (check.errors ?? []).map((e) =>
      e.keyword === 'additionalProperties' ? `unknown setting ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}` : `${e.instancePath.slice(1) || 'options'} ${e.message ?? 'is invalid'}`,
    );
    throw new Error(`controllerOptions.${controller}: ${problems.join('; ')}`);
  };
}
