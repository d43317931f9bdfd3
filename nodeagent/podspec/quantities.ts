// Reading a container's requests and limits as exact quantities. A request left unset
// takes the limit, as Kubernetes' API defaulting does, so a pod behaves the same whether or
// not the server that stored it applied that default.

import { tryParseQuantity, type Quantity } from '../../common/quantity.js';
import { PodSpecError } from './errors.js';
import { mapAt, type Container, type QuantityValue, type ResourceList } from './types.js';

export function quantityAt(v: QuantityValue | undefined | unknown, field: string): Quantity {
  if (typeof v !== 'string' && typeof v !== 'number') throw new PodSpecError(`${field}: a quantity must be a string or a number`, field);
  const r = tryParseQuantity(v);
  if (!r.ok) throw new PodSpecError(`${field}: ${r.error}`, field);
  return r.quantity;
}

function parseList(list: ResourceList | undefined, field: string): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const [name, v] of Object.entries(mapAt(list, field))) out.set(name, quantityAt(v, `${field}.${name}`));
  return out;
}

export interface EffectiveResources {
  requests: Map<string, Quantity>;
  limits: Map<string, Quantity>;
}

/** The container's requests (defaulted from limits) and limits; `field` is the container's path. */
export function effectiveResources(container: Container, field: string): EffectiveResources {
  const res = container.resources ?? {};
  const limits = parseList(res.limits, `${field}.resources.limits`);
  const requests = parseList(res.requests, `${field}.resources.requests`);
  for (const [name, q] of limits) if (!requests.has(name)) requests.set(name, q);
  return { requests, limits };
}

/** A bigint as a JS number, refusing values a number cannot hold exactly. */
export function toSafeNumber(n: bigint, field: string): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) throw new PodSpecError(`${field}: value ${n} is too large`, field);
  return Number(n);
}
