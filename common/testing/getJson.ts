// A GET that must answer 200, for tests that read back what they (or kubectl) wrote: the
// status and body text go into the failure message instead of a confusing undefined later.

import { expect } from 'chai';
import type { RestClient } from '../client/restClient.js';

export async function getJson<T = Record<string, unknown>>(client: RestClient, path: string): Promise<T> {
  const res = await client.get<T>(path);
  expect(res.status, `${path}: ${res.text}`).to.equal(200);
  return res.body;
}
