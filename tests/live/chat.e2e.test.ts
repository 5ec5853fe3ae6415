/**
 * Live chat through the gateway, as a graphql-ws client sees it: `messageAdded` with fields
 * of three other subgraphs, refusal and revocation of access, one feed shared by members
 * each kept to their access by a guard, resume across a dropped connection during a
 * burst, and two gateway processes (the second in front of a second
 * chat replica) each delivering every event once to its own clients.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, dataOf, request, signUpUser, startTestVeza, type TestUser, type TestVeza } from '../support/index.ts';
import { LiveClient, metricValue, type NextPayload } from '../support/live-client.ts';
import { startProcess, type VezaProcess } from '../support/processes.ts';
import {
  AddReactionDocument, CreateInviteDocument, DeleteMessageDocument, EditMessageDocument, JoinCommunityDocument, PinMessageDocument, SendDocument, SetOverwriteDocument, StartThreadDocument,
} from '../generated/graphql.ts';
import { openRoom, type Room } from '../chat/support.ts';

const MESSAGE_ADDED = `subscription Added($channelId: ID!, $after: Int) {
  messageAdded(channelId: $channelId, afterPosition: $after) {
    id body position
    author { id displayName followerCount tracks(first: 1) { edges { node { id } } } }
  }
}`;

interface Added {
  messageAdded: { id: string; body: string; position: number; author: { id: string; displayName: string; followerCount: number; tracks: { edges: unknown[] } } };
}

const positions = (nexts: NextPayload<Added>[]) => nexts.map((n) => n.data?.messageAdded.position);

describe('live chat through the gateway', () => {
  let veza: TestVeza;
  let room: Room;
  beforeAll(async () => {
    veza = await startTestVeza('production', { env: { SEND_BURST_LIMIT: '100000' } });
    room = await openRoom(veza.url, ['Alice', 'Bob']);
  });
  afterAll(async () => {
    await veza?.stop();
  });

  const metric = (name: string) => metricValue(veza.veza.gateway.metrics.registry, name);
  const send = async (who: TestUser, body: string, channelId = room.channelId) =>
    dataOf(await request(veza.url, SendDocument, { input: { channelId, body } }, who.token)).sendMessage;

  it('delivers a message sent by another member with fields from community, social and media', async () => {
    const [alice, bob] = room.members as [TestUser, TestUser];
    const client = await LiveClient.connect(veza.url, bob.token);
    // Resuming from position 0 means nothing sent after subscribing can be missed, whenever the upstream is ready.
    client.subscribe('1', MESSAGE_ADDED, { channelId: room.channelId, after: 0 });
    const sent = await send(alice, 'live hello');
    const got = await client.waitFor((m) => m.id === '1' && m.type === 'next' && (m.payload as NextPayload<Added>).data?.messageAdded.id === sent.id);
    expect(got.payload).toEqual({
      data: { messageAdded: { id: sent.id, body: 'live hello', position: sent.position, author: { id: alice.id, displayName: 'Alice', followerCount: 0, tracks: { edges: [] } } } },
    });
    client.close();
  });

  it('shows edits, pins, reactions, thread messages and deletes live to both members, and nothing to a stranger', async () => {
    const [alice, bob] = room.members as [TestUser, TestUser];
    const carol = await signUpUser(veza.url, 'Stranger');
    const ops = {
      updated: `subscription($c: ID!) { messageUpdated(channelId: $c) { id body pinned editedAt } }`,
      deleted: `subscription($c: ID!) { messageDeleted(channelId: $c) { id position } }`,
      reactions: `subscription($c: ID!) { reactionChanged(channelId: $c) { messageId emoji added user { displayName } } }`,
    };
    const open = async (u: TestUser) => {
      const c = await LiveClient.connect(veza.url, u.token);
      for (const [id, q] of Object.entries(ops)) c.subscribe(id, q, { c: room.channelId });
      return c;
    };
    const granted = await metric('veza_gateway_subscription_guards_granted_total');
    const [a, b, c] = [await open(alice), await open(bob), await open(carol)];
    await expect.poll(() => metric('veza_gateway_subscription_guards_granted_total')).toBe(granted + 6);
    for (const id of Object.keys(ops)) await c.waitFor((m) => m.id === id && m.type === 'complete');

    const msg = await send(alice, 'to be changed');
    dataOf(await request(veza.url, EditMessageDocument, { messageId: msg.id, body: 'changed' }, alice.token));
    dataOf(await request(veza.url, PinMessageDocument, { messageId: msg.id }, room.owner.token));
    dataOf(await request(veza.url, AddReactionDocument, { messageId: msg.id, emoji: '🎉' }, bob.token));
    const thread = dataOf(await request(veza.url, StartThreadDocument, { input: { channelId: room.channelId, messageId: msg.id, name: 'More' } }, alice.token)).startThread;
    const inThread = await LiveClient.connect(veza.url, bob.token);
    inThread.subscribe('t', `subscription($c: ID!, $t: ID) { messageAdded(channelId: $c, threadId: $t, afterPosition: 0) { body } }`, { c: room.channelId, t: thread.id });
    dataOf(await request(veza.url, SendDocument, { input: { channelId: room.channelId, threadId: thread.id, body: 'in the thread' } }, alice.token));
    await inThread.until(() => inThread.nexts('t').length === 1 || undefined);
    expect(inThread.nexts('t')[0]?.data).toEqual({ messageAdded: { body: 'in the thread' } });
    dataOf(await request(veza.url, DeleteMessageDocument, { messageId: msg.id }, alice.token));

    for (const client of [a, b]) {
      await client.until(() => client.nexts('deleted').length === 1 || undefined);
      await client.until(() => client.nexts('updated').length >= 2 || undefined);
      const updates = client.nexts<{ messageUpdated: { id: string; body: string; pinned: boolean; editedAt: string | null } }>('updated').map((n) => n.data?.messageUpdated);
      expect(updates.map((u) => [u?.body, u?.pinned, u?.editedAt !== null])).toEqual([['changed', false, true], ['changed', true, true]]);
      await client.until(() => client.nexts('reactions').length === 1 || undefined);
      expect(client.nexts('reactions')[0]?.data).toEqual({ reactionChanged: { messageId: msg.id, emoji: '🎉', added: true, user: { displayName: 'Bob' } } });
      expect(client.nexts('deleted')[0]?.data).toEqual({ messageDeleted: { id: msg.id, position: msg.position } });
    }
    // The stranger's subscriptions were refused and ended: nothing reached it.
    expect(c.messages.filter((m) => m.type === 'next').every((m) => (m.payload as NextPayload).errors?.[0]?.extensions?.code === 'FORBIDDEN')).toBe(true);
    expect(c.messages.filter((m) => m.type === 'next')).toHaveLength(3);
    for (const client of [a, b, c, inThread]) client.close();
  });

  it('refuses a stranger, and a bad token with 4403', async () => {
    const carol = await signUpUser(veza.url, 'Carol');
    const client = await LiveClient.connect(veza.url, carol.token);
    client.subscribe('1', MESSAGE_ADDED, { channelId: room.channelId, after: 0 });
    await client.waitFor((m) => m.id === '1' && (m.type === 'complete' || m.type === 'error'));
    const refusal = client.messages.filter((m) => m.id === '1' && m.type !== 'complete');
    const codes = refusal.flatMap((m) => (m.type === 'error' ? (m.payload as { extensions?: { code?: string } }[]) : ((m.payload as NextPayload).errors ?? [])).map((e) => e.extensions?.code));
    expect(codes).toEqual(['FORBIDDEN']);
    expect(client.nexts('1').every((n) => !n.data)).toBe(true);
    client.close();

    const forged = new LiveClient(veza.url);
    await forged.opened;
    forged.send({ type: 'connection_init', payload: { authorization: `Bearer ${carol.token.slice(0, -4)}AAAA` } });
    expect((await forged.closed).code).toBe(4403);
  });

  it('ends delivery with FORBIDDEN as soon as an overwrite hides the channel', async () => {
    const [alice, bob] = room.members as [TestUser, TestUser];
    const other = dataOf(await request(veza.url, SendDocument, { input: { channelId: room.channelId, body: 'before' } }, alice.token)).sendMessage;
    const client = await LiveClient.connect(veza.url, bob.token);
    client.subscribe('1', MESSAGE_ADDED, { channelId: room.channelId, after: other.position });
    const marker = await send(alice, 'still visible');
    await client.waitFor((m) => m.id === '1' && m.type === 'next' && (m.payload as NextPayload<Added>).data?.messageAdded.id === marker.id);

    const hiddenAt = performance.now();
    dataOf(await request(veza.url, SetOverwriteDocument, { input: { channelId: room.channelId, targetType: 'MEMBER', targetId: bob.id, deny: ['VIEW_CHANNEL'] } }, room.owner.token));
    await client.waitFor((m) => m.id === '1' && (m.type === 'complete' || m.type === 'error'));
    // Reported, not asserted: tests check behaviour; how fast is the benchmarks' business.
    console.info(`access revoked → subscription ended in ${(performance.now() - hiddenAt).toFixed(0)} ms (including the mutation)`);
    const last = client.nexts<Added>('1').at(-1);
    expect(last?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    await send(alice, 'hidden from bob');
    client.send({ type: 'ping' });
    await client.waitFor((m) => m.type === 'pong');
    expect(client.nexts<Added>('1').map((n) => n.data?.messageAdded.body).filter(Boolean)).toEqual(['still visible']);
    // Restore for the tests below.
    expect(codeOf(await request(veza.url, SetOverwriteDocument, { input: { channelId: room.channelId, targetType: 'MEMBER', targetId: bob.id, deny: [] } }, room.owner.token))).toBeUndefined();
    client.close();
  });

  it('shares one feed among members, each kept to their own access by a guard', async () => {
    const [alice, bob] = room.members as [TestUser, TestUser];
    const live = `subscription Live($channelId: ID!) { messageAdded(channelId: $channelId) { body author { displayName } } }`;
    const watchers = [bob, ...(await Promise.all([1, 2, 3].map((i) => signUpUser(veza.url, `Watcher ${i}`))))];
    const code = dataOf(await request(veza.url, CreateInviteDocument, { input: { communityId: room.communityId } }, room.owner.token)).createInvite.code;
    for (const u of watchers.slice(1)) dataOf(await request(veza.url, JoinCommunityDocument, { code }, u.token));
    const carol = await signUpUser(veza.url, 'Outsider');
    const before = { granted: await metric('veza_gateway_subscription_guards_granted_total'), opened: await metric('veza_gateway_upstream_subscriptions_opened_total') };
    const clients = await Promise.all(watchers.map((u) => LiveClient.connect(veza.url, u.token)));
    for (const c of clients) c.subscribe('1', live, { channelId: room.channelId });
    await expect.poll(() => metric('veza_gateway_subscription_guards_granted_total')).toBe(before.granted + 4);
    const outsider = await LiveClient.connect(veza.url, carol.token);
    outsider.subscribe('1', live, { channelId: room.channelId });
    await outsider.waitFor((m) => m.id === '1' && m.type === 'complete');
    expect(outsider.nexts('1').map((n) => n.errors?.[0]?.extensions?.code)).toEqual(['FORBIDDEN']);

    for (let i = 0; i < 3; i++) await send(alice, `shared ${i}`);
    for (const c of clients) await c.until(() => c.nexts('1').length === 3 || undefined);
    for (const c of clients) expect(c.nexts<{ messageAdded: { body: string; author: { displayName: string } } }>('1').map((n) => n.data?.messageAdded)).toEqual([0, 1, 2].map((i) => ({ body: `shared ${i}`, author: { displayName: 'Alice' } })));
    // One feed and one guard per viewer (the outsider's refused one included), however many listen.
    expect((await metric('veza_gateway_upstream_subscriptions_opened_total')) - before.opened).toBe(1 + 4 + 1);

    // Bob loses the channel: his guard ends his subscription; the others go on.
    dataOf(await request(veza.url, SetOverwriteDocument, { input: { channelId: room.channelId, targetType: 'MEMBER', targetId: bob.id, deny: ['VIEW_CHANNEL'] } }, room.owner.token));
    const bobClient = clients[0]!;
    await bobClient.waitFor((m) => m.id === '1' && m.type === 'complete');
    expect(bobClient.nexts('1').at(-1)?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await send(alice, 'after bob left');
    for (const c of clients.slice(1)) await c.until(() => c.nexts('1').length === 4 || undefined);
    bobClient.send({ type: 'ping' });
    await bobClient.waitFor((m) => m.type === 'pong');
    expect(bobClient.nexts<{ messageAdded: { body: string } }>('1').map((n) => n.data?.messageAdded.body).filter(Boolean)).toEqual(['shared 0', 'shared 1', 'shared 2']);
    expect(codeOf(await request(veza.url, SetOverwriteDocument, { input: { channelId: room.channelId, targetType: 'MEMBER', targetId: bob.id, deny: [] } }, room.owner.token))).toBeUndefined();
    for (const c of [...clients, outsider]) c.close();
  });

  it('resumes after a forced disconnect during a burst of 1,000 messages: none lost, none twice', async () => {
    const [alice, bob] = room.members as [TestUser, TestUser];
    const start = (await send(alice, 'burst starts')).position;
    let client = await LiveClient.connect(veza.url, bob.token);
    client.subscribe('1', MESSAGE_ADDED, { channelId: room.channelId, after: start });
    const queue = Array.from({ length: 1000 }, (_, i) => i);
    const burst = Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) await send(alice, `burst ${i}`);
      }),
    );
    // Cut the connection (no close handshake, as a network drop) once a few hundred have arrived.
    await client.until(() => client.nexts('1').length >= 300 || undefined, 60_000);
    const before = client.nexts<Added>('1');
    client.socket.terminate();
    const lastSeen = before.at(-1)?.data?.messageAdded.position ?? start;

    client = await LiveClient.connect(veza.url, bob.token);
    client.subscribe('1', MESSAGE_ADDED, { channelId: room.channelId, after: lastSeen });
    await burst;
    const resumed = client;
    await resumed.until(() => before.length + resumed.nexts('1').length >= 1000 || undefined, 60_000);
    const all = [...positions(before), ...positions(resumed.nexts<Added>('1'))];
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => start + 1 + i));
    resumed.close();
  }, 120_000);

  describe('two gateway processes, one Redis', () => {
    let chatReplica: VezaProcess;
    let gateways: VezaProcess[] = [];
    let dataDir: string;
    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'veza-replica-'));
      const c = veza.config;
      const urls = veza.veza.platform.subgraphUrls;
      const common: Record<string, string> = {
        VEZA_DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        GATEWAY_SECRET: veza.veza.platform.services.gatewaySecret,
        DATABASE_URL: c.databaseUrl ?? '',
        REDIS_URL: c.redisUrl ?? '',
        REDIS_PREFIX: c.redisPrefix,
        S3_ENDPOINT: c.s3.endpoint ?? '',
        COMMUNITY_URL: urls.community ?? '',
        MEDIA_URL: urls.media ?? '',
        SOCIAL_URL: urls.social ?? '',
        DISCOVERY_URL: urls.discovery ?? '',
      };
      // A second chat replica: what it delivers reaches it through Redis, not through the first.
      chatReplica = await startProcess('subgraphs/main.ts', ['chat'], { ...common, CHAT_PORT: '0', CHAT_URL: urls.chat ?? '' }, 'subgraph');
      gateways = await Promise.all([
        startProcess('gateway/main.ts', [], { ...common, GATEWAY_PORT: '0', CHAT_URL: urls.chat ?? '' }, 'gateway'),
        startProcess('gateway/main.ts', [], { ...common, GATEWAY_PORT: '0', CHAT_URL: chatReplica.url }, 'gateway'),
      ]);
    });
    afterAll(async () => {
      for (const g of gateways) await g.stop();
      await chatReplica?.stop();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('delivers every event exactly once to every client on either gateway', async () => {
      const [alice] = room.members as [TestUser, TestUser];
      const listeners = await Promise.all(Array.from({ length: 6 }, (_, i) => signUpUser(veza.url, `Listener ${i}`)));
      const code = dataOf(await request(veza.url, CreateInviteDocument, { input: { communityId: room.communityId } }, room.owner.token)).createInvite.code;
      for (const u of listeners) dataOf(await request(veza.url, JoinCommunityDocument, { code }, u.token));
      const start = (await send(alice, 'fan-out starts')).position;
      const clients = await Promise.all(listeners.map((u, i) => LiveClient.connect(gateways[i % 2]!.url, u.token)));
      for (const c of clients) c.subscribe('1', MESSAGE_ADDED, { channelId: room.channelId, after: start });
      for (let i = 0; i < 20; i++) await send(alice, `fan-out ${i}`);
      for (const c of clients) await c.until(() => c.nexts('1').length >= 20 || undefined);
      // A round trip on each socket: a duplicate would have come before the pong.
      for (const c of clients) {
        c.send({ type: 'ping' });
        await c.waitFor((m) => m.type === 'pong');
      }
      for (const c of clients) expect(positions(c.nexts<Added>('1'))).toEqual(Array.from({ length: 20 }, (_, i) => start + 1 + i));
      for (const c of clients) c.close();
    }, 120_000);
  });
});
