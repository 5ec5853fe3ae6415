/**
 * The gateway's subscription layer against a generic pair of subgraphs (tests/subscriptions/pair.ts):
 * nothing here is Veza's schema, so what passes is the layer itself, driven by the supergraph.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, TokenSigner, TokenVerifier } from '../../platform/auth/access-tokens.ts';
import { startGateway, type RunningGateway } from '../../gateway/gateway.ts';
import { silentLogger } from '../support/index.ts';
import { LiveClient, metricValue, type LiveMessage } from '../support/live-client.ts';
import { startSubgraphPair, type SubgraphPair } from './pair.ts';

const POSTED = 'subscription Posted($room: ID!) { posted(room: $room) { seq text by { id name } } }';
const SECRET = 'a-test-secret-of-at-least-thirty-two-characters';

interface Posted {
  posted: { seq: number; text: string; by: { id: string; name: string; initials?: string } };
}

describe('gateway subscriptions over a generic subgraph pair', () => {
  let pair: SubgraphPair;
  let gateway: RunningGateway;
  let signer: TokenSigner;
  const token = async (userId: string, ttlSeconds?: number) => {
    const s = ttlSeconds ? await TokenSigner.fromPem(pem, ttlSeconds) : signer;
    return (await s.sign({ sub: userId, sid: randomUUID() })).token;
  };
  const pem = generateSigningKey();
  const metric = (name: string, of: RunningGateway = gateway) => metricValue(of.metrics.registry, name);

  beforeAll(async () => {
    signer = await TokenSigner.fromPem(pem, 600);
    pair = await startSubgraphPair(SECRET);
    gateway = await startGateway({
      supergraphSdl: pair.supergraph(1),
      subgraphUrls: () => ({}),
      verifier: new TokenVerifier(signer.jwks),
      gatewaySecret: SECRET,
      logger: silentLogger,
      host: '127.0.0.1',
      port: 0,
      maxBodyBytes: 1_000_000,
      playground: false,
      processMetrics: false,
      subscriptions: { connectionInitWaitMs: 300, maxBufferedBytes: 64 * 1024, expiryGraceMs: 0 },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await pair?.stop();
  });

  it('delivers an event with the fields another subgraph owns resolved', async () => {
    pair.names.set('ada', 'Ada Lovelace');
    const client = await LiveClient.connect(gateway.url, await token('u1'));
    const granted = await metric('veza_gateway_subscription_guards_granted_total');
    client.subscribe('1', POSTED, { room: 'lobby' });
    await expect.poll(() => metric('veza_gateway_subscription_guards_granted_total')).toBe(granted + 1);
    await pair.post({ id: 'p1', room: 'lobby', seq: 1, text: 'hello', byId: 'ada' });
    const msg = await client.waitFor((m) => m.id === '1' && m.type === 'next');
    expect(msg.payload).toEqual({ data: { posted: { seq: 1, text: 'hello', by: { id: 'ada', name: 'Ada Lovelace' } } } });
    client.close();
  });

  it('refuses bad tokens and protocol misuse with the protocol close codes', async () => {
    const bad = new LiveClient(gateway.url);
    await bad.opened;
    bad.send({ type: 'connection_init', payload: { authorization: 'Bearer not-a-token' } });
    expect((await bad.closed).code).toBe(4403);

    const early = new LiveClient(gateway.url);
    await early.opened;
    early.subscribe('1', POSTED, { room: 'lobby' });
    expect((await early.closed).code).toBe(4401);

    const silent = new LiveClient(gateway.url);
    expect((await silent.closed).code).toBe(4408);

    const twice = await LiveClient.connect(gateway.url);
    twice.send({ type: 'connection_init' });
    expect((await twice.closed).code).toBe(4429);

    const duplicate = await LiveClient.connect(gateway.url);
    duplicate.subscribe('same', POSTED, { room: 'lobby' });
    duplicate.subscribe('same', POSTED, { room: 'lobby' });
    expect((await duplicate.closed).code).toBe(4409);

    const garbage = await LiveClient.connect(gateway.url);
    garbage.socket.send('{"type":"nonsense"}');
    expect((await garbage.closed).code).toBe(4400);

    const expired = await LiveClient.connect(gateway.url, await token('u-expiring', 1));
    expect((await expired.closed).code).toBe(4403);
  });

  it('answers bad documents and variables with coded errors, keeping the connection', async () => {
    const client = await LiveClient.connect(gateway.url);
    client.subscribe('parse', 'subscription {');
    client.subscribe('field', 'subscription { posted(room: "x") { nope } }');
    client.subscribe('query', '{ roomName(room: "x") }');
    client.subscribe('vars', POSTED, { room: { not: 'an id' } });
    const errorCode = (m: LiveMessage): [string, string | undefined] => [m.id ?? '', (m.payload as { extensions?: { code?: string } }[])[0]?.extensions?.code];
    const codes = await client.until((): Record<string, string | undefined> | undefined => {
      const errs = client.messages.filter((m) => m.type === 'error');
      return errs.length === 4 ? Object.fromEntries(errs.map(errorCode)) : undefined;
    });
    expect(codes).toEqual({ parse: 'GRAPHQL_PARSE_FAILED', field: 'GRAPHQL_VALIDATION_FAILED', query: 'BAD_USER_INPUT', vars: 'BAD_USER_INPUT' });
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    client.close();
  });

  it('shares one upstream feed and at most one entity fetch per event among 10,000 subscriptions of 100 viewers', async () => {
    const before = { ...pair.counts, fetches: await metric('veza_gateway_subscription_entity_fetches_total'), granted: await metric('veza_gateway_subscription_guards_granted_total') };
    const clients = await Promise.all(Array.from({ length: 100 }, async (_, u) => LiveClient.connect(gateway.url, await token(`u-fan-${u}`))));
    for (const c of clients) for (let i = 0; i < 100; i++) c.subscribe(`s${i}`, POSTED, { room: 'stadium' });
    await expect.poll(() => metric('veza_gateway_subscriptions'), { timeout: 60_000 }).toBeGreaterThanOrEqual(10_000);
    await expect.poll(() => metric('veza_gateway_subscription_guards_granted_total'), { timeout: 60_000 }).toBe(before.granted + 100);

    for (let seq = 1; seq <= 3; seq++) await pair.post({ id: `st${seq}`, room: 'stadium', seq, text: `goal ${seq}`, byId: 'ada' });
    for (const c of clients) await c.until(() => c.messages.filter((m) => m.type === 'next').length === 300 || undefined);

    // One feed for everyone, one guard per viewer (not per subscription), and at most one
    // entity fetch per event (events that arrive together share one: coalescing.ts).
    expect(pair.counts.feeds - before.feeds).toBe(1);
    expect(pair.counts.guards - before.guards).toBe(100);
    expect(pair.counts.upstreamSubscribes - before.upstreamSubscribes).toBe(101);
    const fetches = (await metric('veza_gateway_subscription_entity_fetches_total')) - before.fetches;
    expect(fetches).toBeGreaterThanOrEqual(1);
    expect(fetches).toBeLessThanOrEqual(3);
    for (const c of clients) {
      for (let i = 0; i < 100; i++) expect(c.nexts<Posted>(`s${i}`).map((p) => p.data?.posted.seq)).toEqual([1, 2, 3]);
    }
    for (const c of clients) c.close();
  }, 120_000);

  it('keeps a subscription that selects viewer-dependent fields to its viewer', async () => {
    const mine = 'subscription { posted(room: "mirror") { seq mine } }';
    const ada = await LiveClient.connect(gateway.url, await token('ada'));
    const bob = await LiveClient.connect(gateway.url, await token('bob'));
    const before = { ...pair.counts };
    ada.subscribe('1', mine);
    bob.subscribe('1', mine);
    await expect.poll(() => pair.counts.upstreamSubscribes).toBe(before.upstreamSubscribes + 2);
    expect(pair.counts.feeds).toBe(before.feeds);
    await pair.post({ id: 'm1', room: 'mirror', seq: 1, text: 'me', byId: 'ada' });
    expect((await ada.waitFor((m) => m.id === '1' && m.type === 'next')).payload).toEqual({ data: { posted: { seq: 1, mine: true } } });
    expect((await bob.waitFor((m) => m.id === '1' && m.type === 'next')).payload).toEqual({ data: { posted: { seq: 1, mine: false } } });
    ada.close();
    bob.close();
  });

  it('gives a subscription that asks for a replay a source of its own', async () => {
    for (let seq = 1; seq <= 3; seq++) await pair.post({ id: `h${seq}`, room: 'history', seq, text: `old ${seq}`, byId: 'ada' });
    const replay = 'subscription { posted(room: "history", since: 1) { seq } }';
    const first = await LiveClient.connect(gateway.url, await token('u-history'));
    first.subscribe('1', replay);
    await first.until(() => first.nexts('1').length === 2 || undefined);
    const before = { ...pair.counts };
    // The same operation, by the same viewer, later: it still gets its replay.
    first.subscribe('2', replay);
    await first.until(() => first.nexts('2').length === 2 || undefined);
    expect(pair.counts.upstreamSubscribes - before.upstreamSubscribes).toBe(1);
    expect(pair.counts.feeds).toBe(before.feeds);
    for (const id of ['1', '2']) expect(first.nexts<Posted>(id).map((p) => p.data?.posted.seq)).toEqual([2, 3]);
    first.close();
  });

  it('ends a subscription with FORBIDDEN when the owning subgraph revokes access', async () => {
    const member = await LiveClient.connect(gateway.url, await token('u-member'));
    const outsider = await LiveClient.connect(gateway.url, await token('u-outsider'));
    pair.admit('private-club', 'u-member');
    outsider.subscribe('1', POSTED, { room: 'private-club' });
    // A refusal at subscribe time is a result with the error, then the end (graphql-ws's `next` + `complete`).
    await outsider.waitFor((m) => m.id === '1' && m.type === 'complete');
    const refusal = outsider.nexts('1');
    expect(refusal).toHaveLength(1);
    expect(refusal[0]?.data).toBeNull();
    expect(refusal[0]?.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);

    const granted = await metric('veza_gateway_subscription_guards_granted_total');
    member.subscribe('1', POSTED, { room: 'private-club' });
    await expect.poll(() => metric('veza_gateway_subscription_guards_granted_total')).toBe(granted + 1);
    await pair.post({ id: 'c1', room: 'private-club', seq: 1, text: 'members only', byId: 'ada' });
    await member.waitFor((m) => m.id === '1' && m.type === 'next');
    await pair.revoke('private-club', 'u-member');
    await member.waitFor((m) => m.id === '1' && m.type === 'complete');
    const nexts = member.nexts('1');
    expect(nexts).toHaveLength(2);
    expect(nexts[1]?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await pair.post({ id: 'c2', room: 'private-club', seq: 2, text: 'after', byId: 'ada' });
    // A round trip on the same socket: anything for the ended subscription would have come before the pong.
    member.send({ type: 'ping' });
    await member.waitFor((m) => m.type === 'pong');
    expect(member.nexts('1')).toHaveLength(2);
    member.close();
    outsider.close();
  });

  it('closes a client that stops reading, without delaying the others', async () => {
    const fast = await LiveClient.connect(gateway.url, await token('u-fast'));
    const slow = await LiveClient.connect(gateway.url, await token('u-slow'));
    const granted = await metric('veza_gateway_subscription_guards_granted_total');
    fast.subscribe('1', POSTED, { room: 'firehose' });
    slow.subscribe('1', POSTED, { room: 'firehose' });
    await expect.poll(() => metric('veza_gateway_subscription_guards_granted_total')).toBe(granted + 2);
    // The slow client's TCP socket stops reading; the kernel buffers fill, then the gateway's.
    (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const text = 'x'.repeat(16 * 1024);
    const before = await metric('veza_gateway_slow_consumer_closes_total');
    let sent = 0;
    while ((await metric('veza_gateway_slow_consumer_closes_total')) === before && sent < 5_000) {
      sent++;
      await pair.post({ id: `f${sent}`, room: 'firehose', seq: sent, text, byId: 'ada' });
      if (sent % 50 === 0) await fast.until(() => fast.nexts('1').length >= sent - 50 || undefined);
    }
    expect(await metric('veza_gateway_slow_consumer_closes_total')).toBe(before + 1);
    await fast.until(() => fast.nexts('1').length === sent || undefined);
    expect(fast.nexts<Posted>('1').map((p) => p.data?.posted.seq)).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
    fast.close();
  }, 120_000);

  it('on shutdown stops accepting, delivers what it has, and tells clients to reconnect (1012)', async () => {
    const second = await startGateway({
      supergraphSdl: pair.supergraph(1), subgraphUrls: () => ({}), verifier: new TokenVerifier(signer.jwks), gatewaySecret: SECRET,
      logger: silentLogger, host: '127.0.0.1', port: 0, maxBodyBytes: 1_000_000, playground: false, processMetrics: false,
    });
    const client = await LiveClient.connect(second.url, await token('u-shutdown'));
    const granted = await metric('veza_gateway_subscription_guards_granted_total', second);
    client.subscribe('1', POSTED, { room: 'shutdown' });
    await expect.poll(() => metric('veza_gateway_subscription_guards_granted_total', second)).toBe(granted + 1);
    await pair.post({ id: 'sd1', room: 'shutdown', seq: 1, text: 'last words', byId: 'ada' });
    await client.waitFor((m) => m.id === '1' && m.type === 'next');
    const stopped = second.stop();
    expect((await client.closed).code).toBe(1012);
    await stopped;
    const late = new LiveClient(second.url);
    await expect(late.opened).rejects.toThrow();
  });

  it('keeps subscriptions open across a supergraph reload during a burst, losing nothing', async () => {
    const client = await LiveClient.connect(gateway.url, await token('u-reload'));
    const granted = await metric('veza_gateway_subscription_guards_granted_total');
    const opened = pair.counts.upstreamSubscribes;
    client.subscribe('1', POSTED, { room: 'reload' });
    await expect.poll(() => metric('veza_gateway_subscription_guards_granted_total')).toBe(granted + 1);
    for (let seq = 1; seq <= 200; seq++) {
      if (seq === 100) gateway.reload(pair.supergraph(2));
      await pair.post({ id: `r${seq}`, room: 'reload', seq, text: `n${seq}`, byId: 'ada' });
    }
    await client.until(() => client.nexts('1').length === 200 || undefined);
    expect(client.nexts<Posted>('1').map((p) => p.data?.posted.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    // The feed and the guard stayed open: nothing was reopened.
    expect(pair.counts.upstreamSubscribes).toBe(opened + 2);

    // The new supergraph's fields are there for new subscriptions.
    client.subscribe('2', 'subscription { posted(room: "reload") { seq by { initials } } }');
    await expect.poll(() => metric('veza_gateway_subscription_guards_granted_total')).toBe(granted + 2);
    await pair.post({ id: 'r201', room: 'reload', seq: 201, text: 'new', byId: 'ada' });
    const next = await client.waitFor((m) => m.id === '2' && m.type === 'next');
    expect(next.payload).toEqual({ data: { posted: { seq: 201, by: { initials: 'AL' } } } });
    client.close();
  });
});
