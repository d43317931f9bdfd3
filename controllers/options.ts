// One controller's section of the config file (`controllerOptions.<name>`), checked the one way
// every factory checks it: ajv over a flat schema of optional settings, every problem named in
// one Error that fails the process at start-up, e.g.
//   controllerOptions.replicaset: unknown setting "worker"; burstReplicas must be >= 1
// A setting left empty in YAML (`workers:`, i.e. null) counts as absent, so its default holds.

import { Ajv } from 'ajv';

/** One setting: a bounded number, a non-empty string or a list of strings. Always optional. */
export type SettingSchema =
  | { type: 'integer' | 'number'; minimum?: number; exclusiveMinimum?: number; maximum?: number }
  | { type: 'string'; minLength?: number }
  | { type: 'array'; items: { type: 'string'; minLength?: number } };

/** A schema for every setting of T: adding a field to a controller's options without one fails to compile. */
export type SettingsSchema<T> = { [K in keyof T & string]-?: SettingSchema };

/** Concurrent syncs (kube-controller-manager's --concurrent-*-syncs): the same bounds for every controller. */
export const workersSetting: SettingSchema = { type: 'integer', minimum: 1, maximum: 100 };

const ajv = new Ajv({ allErrors: true });

/** An Error about `controllerOptions.<controller>`, for the checks a schema cannot say (ranges that depend on each other). */
export function optionsError(controller: string, problem: string, cause?: unknown): Error {
  return new Error(`controllerOptions.${controller}: ${problem}`, cause === undefined ? undefined : { cause });
}

/**
 * Compiles (once, at module load) the check of one controller's options. Without defaults the
 * result holds only the settings given; with them, every setting, the given ones winning.
 */
export function controllerOptions<T extends object>(controller: string, settings: SettingsSchema<T>): (raw: unknown) => Partial<T>;
export function controllerOptions<T extends object>(controller: string, settings: SettingsSchema<T>, defaults: T): (raw: unknown) => T;
export function controllerOptions<T extends object>(controller: string, settings: SettingsSchema<T>, defaults?: T): (raw: unknown) => Partial<T> {
  const properties = Object.fromEntries(Object.entries<SettingSchema>(settings).map(([name, s]) => [name, { ...s, nullable: true }]));
  const check = ajv.compile({ type: 'object', properties, additionalProperties: false });
  return (raw) => {
    if (!check(raw)) {
      const problems = (check.errors ?? []).map((e) =>
        e.keyword === 'additionalProperties' ? `unknown setting ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}` : `${e.instancePath.slice(1) || 'options'} ${e.message ?? 'is invalid'}`,
      );
      throw optionsError(controller, problems.join('; '));
    }
    const given = Object.fromEntries(Object.entries(raw as Record<string, unknown>).filter(([, v]) => v !== null)) as Partial<T>;
    return { ...defaults, ...given };
  };
}
