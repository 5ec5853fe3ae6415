import type { Fetcher } from '@apollo/utils.fetcher';
import { describe, expect, it } from 'vitest';
import { signAssertion, GATEWAY_ASSERTION_HEADER } from '../platform/auth/gateway-trust.ts';
import { dedupingFetcher } from './upstream-fetch.ts';

const SECRET = 'a-secret-shared-by-gateway-and-subgraphs';

/** A fake subgraph transport that counts calls and answers when released. */
function fakeTransport() {
  const calls: string[] = [];
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const fetcher: Fetcher = async (_url, init) => {
    calls.push(typeof init?.body === 'string' ? init.body : '');
    await gate;
    return new Response(JSON.stringify({ data: { n: calls.length } }), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { calls, release: () => release(), fetcher };
}

const headers = (userId: string | null) => ({ [GATEWAY_ASSERTION_HEADER]: signAssertion(SECRET, { userId, sessionId: null }), 'content-type': 'application/json' });

describe('in-flight deduplication of subgraph fetches', () => {
  it('sends identical concurrent queries of one caller once, and gives each its own response', async () => {
    const t = fakeTransport();
    const f = dedupingFetcher(t.fetcher);
    const body = JSON.stringify({ query: 'query Page__chat__0 { x }', variables: {} });
    const pending = Array.from({ length: 5 }, () => f('http://chat/graphql', { method: 'POST', headers: headers('u1'), body }));
    t.release();
    const responses = await Promise.all(pending);
    expect(t.calls).toHaveLength(1);
    expect(await Promise.all(responses.map((r) => r.json()))).toEqual(Array(5).fill({ data: { n: 1 } }));
  });

  it('never shares mutations, nor queries of different callers', async () => {
    const t = fakeTransport();
    const f = dedupingFetcher(t.fetcher);
    const mutation = JSON.stringify({ query: 'mutation Send__chat__0 { send }' });
    const query = JSON.stringify({ query: '{ x }' });
    const pending = [
      f('http://chat/graphql', { method: 'POST', headers: headers('u1'), body: mutation }),
      f('http://chat/graphql', { method: 'POST', headers: headers('u1'), body: mutation }),
      f('http://chat/graphql', { method: 'POST', headers: headers('u1'), body: query }),
      f('http://chat/graphql', { method: 'POST', headers: headers('u2'), body: query }),
    ];
    t.release();
    await Promise.all(pending);
    expect(t.calls).toHaveLength(4);
  });
});
