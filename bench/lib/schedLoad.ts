// Creating many objects through the API with a bounded number of requests in flight.

import type { RestClient } from '../../common/client/restClient.js';

/** POSTs `count` objects made by `make(i)` to `path(i)`, `concurrency` at a time; returns objects/s. */
export async function schedCreateAll(client: RestClient, count: number, path: (i: number) => string, make: (i: number) => unknown, concurrency = 48): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const body = JSON.stringify(make(i));
      for (let attempt = 0; ; attempt++) {
        const r = await client.request('POST', path(i), { body });
        if (r.status === 201) break;
        if (r.status === 409 && attempt > 0) break; // an earlier attempt landed
        if (attempt >= 5 || (r.status < 500 && r.status !== 429)) throw new Error(`POST ${path(i)}: HTTP ${r.status}: ${r.text.slice(0, 200)}`);
        await new Promise((res) => setTimeout(res, 100 * (attempt + 1)));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return count / ((performance.now() - t0) / 1000);
}
