import { expect } from 'chai';
import { FakeClock } from '../../common/clock.js';
import { memoryLogger } from '../../common/controller/testLogger.js';
import type { RestResponse } from '../../common/client/restClient.js';
import { podCidrFromNode } from './podCidr.js';

/** An API that answers GET /api/v1/nodes/n1 from `answers` in turn and records POSTs. */
function fakeClient(answers: { status: number; podCIDR?: string }[]) {
  const posts: unknown[] = [];
  const res = <T>(status: number, body: unknown): RestResponse<T> => ({ status, headers: {}, text: JSON.stringify(body), body: body as T }) as RestResponse<T>;
  let i = 0;
  return {
    posts,
    client: {
      get: <T>(): Promise<RestResponse<T>> => {
        const a = answers[Math.min(i++, answers.length - 1)]!;
        return Promise.resolve(res<T>(a.status, a.status === 200 ? { metadata: { name: 'n1' }, spec: a.podCIDR ? { podCIDR: a.podCIDR } : {} } : { kind: 'Status' }));
      },
      request: <T>(_m: string, _p: string, o: { body?: unknown } = {}): Promise<RestResponse<T>> => {
        posts.push(o.body);
        return Promise.resolve(res<T>(201, o.body));
      },
    },
  };
}

describe('podCidrFromNode', () => {
  const cases: { name: string; answers: { status: number; podCIDR?: string }[]; posts: number }[] = [
    { name: 'the node has one: used at once', answers: [{ status: 200, podCIDR: '10.244.3.0/24' }], posts: 0 },
    { name: 'no node yet: registers a bare one, then waits for IPAM', answers: [{ status: 404 }, { status: 200 }, { status: 200, podCIDR: '10.244.3.0/24' }], posts: 1 },
    { name: 'a server error is retried', answers: [{ status: 503 }, { status: 200, podCIDR: '10.244.3.0/24' }], posts: 0 },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const clock = new FakeClock(0);
      const { client, posts } = fakeClient(tc.answers);
      const p = podCidrFromNode({ client, nodeName: 'n1', clock, logger: memoryLogger().logger, pollMs: 500 });
      for (let i = 0; i < 10; i++) await clock.advanceAsync(500);
      expect(await p).to.equal('10.244.3.0/24');
      expect(posts).to.deep.equal(Array.from({ length: tc.posts }, () => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } })));
    });
  }
  it('stops waiting when aborted', async () => {
    const clock = new FakeClock(0);
    const ac = new AbortController();
    const p = podCidrFromNode({ client: fakeClient([{ status: 200 }]).client, nodeName: 'n1', clock, logger: memoryLogger().logger, signal: ac.signal });
    await clock.advanceAsync(2_000);
    ac.abort();
    expect(await p).to.equal(undefined);
  });
});
