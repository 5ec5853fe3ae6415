/**
 * Rules of the HTTP edge: bad requests get a GraphQL error with a stable code and the
 * right status, and the process keeps serving; only the gateway may call subgraphs;
 * health, readiness and metrics answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAssertion, GATEWAY_ASSERTION_HEADER } from '../platform/auth/gateway-trust.ts';
import { dataOf, rawRequest, request, startTestVeza, uniqueName, type TestVeza } from './support/index.ts';
import { CreateCommunityDocument, MeDocument, SendMessageDocument, SignUpDocument } from './generated/graphql.ts';

describe('the HTTP edge', () => {
  let veza: TestVeza;
  beforeAll(async () => {
    veza = await startTestVeza('production', { env: { MAX_BODY_BYTES: '20000' } });
  });
  afterAll(async () => {
    await veza?.stop();
  });

  it.each([
    ['a malformed query', JSON.stringify({ query: '{ me { id ' }), 400, 'GRAPHQL_PARSE_FAILED'],
    ['an unknown field', JSON.stringify({ query: '{ me { shoeSize } }' }), 400, 'GRAPHQL_VALIDATION_FAILED'],
    [
      'a wrong variable type',
      JSON.stringify({ query: 'query($id: ID!) { user(id: $id) { id } }', variables: { id: { not: 'an id' } } }),
      400,
      'BAD_USER_INPUT',
    ],
    ['a missing variable', JSON.stringify({ query: 'query($id: ID!) { user(id: $id) { id } }' }), 400, 'BAD_USER_INPUT'],
    ['a body that is not JSON', '{ "query": ', 400, 'BAD_REQUEST'],
    ['a body over the size limit', JSON.stringify({ query: `{ me { id } } # ${'x'.repeat(30_000)}` }), 413, 'PAYLOAD_TOO_LARGE'],
  ])('answers %s with a coded error and the right status', async (_name, body, status, code) => {
    const res = await rawRequest(veza.url, body);
    expect(res.status).toBe(status);
    expect(res.errors?.[0]?.extensions?.code).toBe(code);
    // The process is still up and serving.
    expect(dataOf(await request(veza.url, MeDocument, {})).me).toBeNull();
  });

  it('refuses an invalid access token with 401 UNAUTHENTICATED', async () => {
    const res = await rawRequest(veza.url, JSON.stringify({ query: '{ me { id } }' }), 'not-a-token');
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('blocks cross-site simple requests (CSRF prevention)', async () => {
    const res = await fetch(veza.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ me { id } }"}' });
    expect(res.status).toBe(400);
  });

  it('gives business-rule errors their codes and writes nothing for them', async () => {
    const handle = uniqueName('frank');
    const first = await request(veza.url, SignUpDocument, { input: { handle, displayName: 'Frank', password: 'a long passphrase' } });
    const token = dataOf(first).signUp.accessToken;
    const dup = await request(veza.url, SignUpDocument, { input: { handle: handle.toUpperCase(), displayName: 'F2', password: 'another passphrase' } });
    expect(dup.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const short = await request(veza.url, SignUpDocument, { input: { handle: uniqueName('g'), displayName: 'G', password: 'short' } });
    expect(short.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
    const anon = await request(veza.url, CreateCommunityDocument, { name: 'No one' });
    expect(anon.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const { createCommunity } = dataOf(await request(veza.url, CreateCommunityDocument, { name: 'Edge cases' }, token));
    const channelId = createCommunity.channels[0]!.id;
    const empty = await request(veza.url, SendMessageDocument, { input: { channelId, body: '   ' } }, token);
    expect(empty.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const long = await request(veza.url, SendMessageDocument, { input: { channelId, body: 'x'.repeat(4001) } }, token);
    expect(long.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const unknown = await request(veza.url, SendMessageDocument, { input: { channelId: '01a20fbe-0000-7000-8000-000000000000', body: 'hi' } }, token);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // None of the refused sends took a position: the next message is number 1.
    const ok = dataOf(await request(veza.url, SendMessageDocument, { input: { channelId, body: 'hi' } }, token));
    expect(ok.sendMessage.position).toBe(1);
  });

  it('lets only the gateway call a subgraph', async () => {
    const community = veza.veza.subgraphs.find((s) => s.name === 'community')!;
    const body = JSON.stringify({ query: '{ me { id } }' });
    const direct = await rawRequest(community.url, body);
    expect(direct.status).toBe(401);
    expect(direct.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const forged = await rawRequest(community.url, body, undefined, {
      [GATEWAY_ASSERTION_HEADER]: signAssertion('not-the-gateway-secret-but-long-enough', { userId: null, sessionId: null }),
    });
    expect(forged.status).toBe(401);
    const signed = await rawRequest<{ me: null }>(community.url, body, undefined, {
      [GATEWAY_ASSERTION_HEADER]: signAssertion(veza.veza.platform.services.gatewaySecret, { userId: null, sessionId: null }),
    });
    expect(signed.status).toBe(200);
    expect(signed.data).toEqual({ me: null });
  });

  it('serves /healthz, /readyz and /metrics', async () => {
    expect((await fetch(`${veza.base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${veza.base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { community: true, chat: true, media: true, social: true, discovery: true } });
    const metrics = await (await fetch(`${veza.base}/metrics`)).text();
    expect(metrics).toMatch(/veza_graphql_operations_total\{[^}]*operation="Me"[^}]*\} \d+/);
  });
});
