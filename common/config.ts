// Typed component configuration: defaults, then a JSON/YAML file, then environment,
// then flags; validated with ajv before the component starts, failing with a clear message.

import fs from 'node:fs';
import { Ajv, type JSONSchemaType } from 'ajv';
import { parseYaml } from './yaml.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** `--etcd-endpoints=a,b --port 6443 --verbose` -> { 'etcd-endpoints': 'a,b', port: '6443', verbose: 'true' }. */
export function parseFlags(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new ConfigError(`unexpected argument ${JSON.stringify(a)}`);
    const eq = a.indexOf('=');
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) out[a.slice(2)] = argv[++i]!;
    else out[a.slice(2)] = 'true';
  }
  return out;
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Builds a config: `defaults` < file (flag `config`) < env (`<PREFIX>_<FLAG>`) < flags.
 * Values from env and flags are strings, coerced by the schema (ajv coerceTypes).
 */
export function loadConfig<T>(schema: JSONSchemaType<T>, defaults: Partial<T>, argv: string[], envPrefix: string): T {
  const flags = parseFlags(argv);
  let fromFile: Record<string, unknown> = {};
  if (flags.config) {
    let text: string;
    try {
      text = fs.readFileSync(flags.config, 'utf8');
    } catch (e) {
      throw new ConfigError(`cannot read config file ${flags.config}: ${(e as Error).message}`);
    }
    const parsed = parseYaml(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`${flags.config}: expected a mapping of settings`);
    fromFile = parsed as Record<string, unknown>;
  }
  const props = Object.keys((schema as { properties?: object }).properties ?? {});
  const fromEnv: Record<string, unknown> = {};
  for (const p of props) {
    const env = `${envPrefix}_${p.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase()}`;
    if (process.env[env] !== undefined) fromEnv[p] = process.env[env];
  }
  const fromFlags: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flags)) if (k !== 'config') fromFlags[camel(k)] = v;
  const merged: Record<string, unknown> = { ...defaults, ...fromFile, ...fromEnv, ...fromFlags };
  for (const [k, v] of Object.entries(merged)) {
    const prop = (schema as { properties?: Record<string, { type?: string }> }).properties?.[k];
    if (prop?.type === 'array' && typeof v === 'string') merged[k] = v.split(',').map((s) => s.trim()).filter(Boolean);
  }
  const ajv = new Ajv({ coerceTypes: true, useDefaults: true, allErrors: true });
  const validate = ajv.compile(schema);
  if (!validate(merged)) {
    const problems = (validate.errors ?? []).map((e) => {
      const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '';
      if (e.keyword === 'additionalProperties') return `unknown setting ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}`;
      return `${where || 'config'} ${e.message ?? 'is invalid'}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return merged as T;
}
