/**
 * Chat's subscriptions, spoken to directly over graphql-ws as the gateway speaks to them
 * (docs/decisions/0011-subgraph-subscriptions.md): who may connect and subscribe, what a
 * subscriber receives, resuming without gaps or duplicates, and the end of a subscription
 * whose viewer loses access.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { dataOf, request, signUpUser, startTestVeza, type TestUser, type TestVeza } from '../support/index.ts';
import { assertionFor, liveSubscriptions, record, subgraphClient, type Recording } from '../support/subgraph-live.ts';
import {
  AddReactionDocument, CreateChannelDocument, DeleteMessageDocument, EditMessageDocument, KickDocument, LiveMessageDeletionsDocument, LiveMessageEditsDocument,
  LiveMessagesDocument, LiveReactionsDocument, LiveTypingDocument, MessageViewDocument, SendDocument, SetOverwriteDocument, StartTypingDocument,
  type LiveMessagesSubscription,
} from '../generated/graphql.ts';
import { openRoom, type Room } from './support.ts';

describe('chat subscriptions over graphql-ws', () => {
  let veza: TestVeza;
  let room: Room;
  let reader: TestUser;
  const clients: Client[] = [];
  const client = (assertion?: string | null) => {
    const c = subgraphClient(veza, 'chat', assertion);
    clients.push(c);
    return c;
  };
  const send = async (user: TestUser, body: string, channelId = room.channelId) =>
    dataOf(await request(veza.url, SendDocument, { input: { channelId, body } }, user.token)).sendMessage;
  /** Resolves once `n` subscriptions are live on chat: the trigger is subscribed and access checked. */
  const live = (n: number) => expect.poll(() => liveSubscriptions(veza, 'chat'), { timeout: 10_000 }).toBe(n);

  beforeAll(async () => {
    // The burst below sends faster than a person may.
    veza = await startTestVeza('production', { env: { SEND_BURST_LIMIT: '100000' } });
    room = await openRoom(veza.url, ['Reader']);
    reader = room.members[0]!;
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.dispose();
    // Rule: no subscription outlives its client.
    await live(0);
  });
  afterAll(async () => {
    await veza?.stop();
  });

  it('closes a connection without a gateway assertion, or with a forged one (4403)', async () => {
    const forged = assertionFor(veza, null).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    for (const assertion of [null, forged, 'not-an-assertion']) {
      const sub = record(client(assertion), LiveMessagesDocument, { channelId: room.channelId }, assertionFor(veza, reader.id));
      await sub.ended();
      expect((sub.failure as { code?: number }).code).toBe(4403);
    }
  });

  it('refuses a subscription without a viewer assertion (UNAUTHENTICATED) and operations that are not subscriptions (BAD_USER_INPUT)', async () => {
    const c = client();
    const anonymous = record(c, LiveMessagesDocument, { channelId: room.channelId }, null);
    await anonymous.ended();
    expect(anonymous.codes).toEqual(['UNAUTHENTICATED']);
    const query = record(c, MessageViewDocument, { id: room.channelId }, assertionFor(veza, reader.id));
    await query.ended();
    expect(query.codes).toEqual(['BAD_USER_INPUT']);
  });

  it('validates every operation text, also one it has seen before (parsed documents are kept per text)', async () => {
    const c = client();
    const invalid = parse('subscription Invalid($channelId: ID!) { messageAdded(channelId: $channelId) { noSuchField } }') as TypedDocumentNode<unknown, { channelId: string }>;
    for (let i = 0; i < 2; i++) {
      const refused = record(c, invalid, { channelId: room.channelId }, assertionFor(veza, reader.id));
      await refused.ended();
      expect(refused.codes).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      // The same valid text twice: each subscribes and gets the message sent after.
      const sub = record(c, LiveMessagesDocument, { channelId: room.channelId }, assertionFor(veza, reader.id));
      await live(1);
      const sent = await send(room.owner, `seen ${i}`);
      await sub.until((r) => r.results.length === 1);
      expect(sub.results[0]!.data?.messageAdded.id).toBe(sent.id);
      sub.stop();
      await live(0);
    }
  });

  it('refuses a viewer without access (FORBIDDEN) and a channel that does not exist (NOT_FOUND)', async () => {
    const outsider = await signUpUser(veza.url, 'Outsider');
    const c = client();
    const refused = record(c, LiveMessagesDocument, { channelId: room.channelId }, assertionFor(veza, outsider.id));
    await refused.ended();
    expect(refused.codes).toEqual(['FORBIDDEN']);
    expect(refused.completed).toBe(true);
    const unknown = record(c, LiveMessagesDocument, { channelId: '01900000-0000-7000-8000-000000000000' }, assertionFor(veza, reader.id));
    await unknown.ended();
    expect(unknown.codes).toEqual(['NOT_FOUND']);
  });

  it('messageAdded delivers a sent message with the fields chat owns', async () => {
    const sub = record(client(), LiveMessagesDocument, { channelId: room.channelId }, assertionFor(veza, reader.id));
    await live(1);
    const sent = await send(room.owner, `hello <@${reader.id}>`);
    await sub.until((r) => r.data.length === 1);
    expect(sub.data[0]?.messageAdded).toEqual({
      id: sent.id, position: sent.position, body: `hello <@${reader.id}>`, author: { id: room.owner.id }, mentions: [{ id: reader.id }], thread: null, reactions: [],
    });
  });

  it('resuming with afterPosition during a burst of sends yields every message once, in order', async () => {
    const channelId = room.channelId;
    const start = (await send(room.owner, 'before the burst')).position;
    const total = 60;
    const subs: { from: number; sub: Recording<LiveMessagesSubscription> }[] = [];
    const c = client();
    // Two senders at once; subscribers join at different points of the burst, each resuming
    // from a position a little behind the newest (so each crosses the stored/live seam).
    let sent = 0;
    const sender = async (who: TestUser) => {
      while (sent < total) {
        sent += 1;
        const m = await send(who, `burst ${sent}`, channelId);
        if (m.position - start === 10 || m.position - start === 25 || m.position - start === 40) {
          const from = m.position - 5;
          subs.push({ from, sub: record(c, LiveMessagesDocument, { channelId, afterPosition: from }, assertionFor(veza, reader.id)) });
        }
      }
    };
    await Promise.all([sender(room.owner), sender(reader)]);
    const last = start + total;
    expect(subs).toHaveLength(3);
    for (const { from, sub } of subs) {
      await sub.until((r) => r.data.at(-1)?.messageAdded.position === last);
      const positions = sub.data.map((d) => d.messageAdded.position);
      expect(positions).toEqual(Array.from({ length: last - from }, (_, i) => from + 1 + i));
    }
  });

  it('ends a subscription with FORBIDDEN when the viewer loses access to the channel (overwrite), then completes', async () => {
    const own = await openRoom(veza.url, ['Watcher']);
    const watcher = own.members[0]!;
    const c = client();
    const messages = record(c, LiveMessagesDocument, { channelId: own.channelId }, assertionFor(veza, watcher.id));
    const typing = record(c, LiveTypingDocument, { channelId: own.channelId }, assertionFor(veza, watcher.id));
    await live(2);
    await send(own.owner, 'still visible', own.channelId);
    await messages.until((r) => r.data.length === 1);
    dataOf(await request(veza.url, SetOverwriteDocument, { input: { channelId: own.channelId, targetType: 'MEMBER', targetId: watcher.id, deny: ['VIEW_CHANNEL'] } }, own.owner.token));
    for (const sub of [messages, typing]) {
      await sub.ended();
      expect(sub.completed).toBe(true);
      expect(sub.results.at(-1)).toMatchObject({ data: null, errors: [{ extensions: { code: 'FORBIDDEN' } }] });
    }
    expect(messages.data).toHaveLength(1);
  });

  it('ends it too when the overwrite is on the category a channel syncs with', async () => {
    const own = await openRoom(veza.url, ['Synced']);
    const member = own.members[0]!;
    const create = async (input: { name: string; type: 'CATEGORY' | 'TEXT'; parentId?: string }) =>
      dataOf(await request(veza.url, CreateChannelDocument, { input: { communityId: own.communityId, ...input } }, own.owner.token)).createChannel;
    const category = await create({ name: 'Backstage', type: 'CATEGORY' });
    const channel = await create({ name: 'green-room', type: 'TEXT', parentId: category.id });
    expect(channel.permissionsSynced).toBe(true);
    const sub = record(client(), LiveMessagesDocument, { channelId: channel.id }, assertionFor(veza, member.id));
    await live(1);
    dataOf(await request(veza.url, SetOverwriteDocument, { input: { channelId: category.id, targetType: 'MEMBER', targetId: member.id, deny: ['VIEW_CHANNEL'] } }, own.owner.token));
    await sub.ended();
    expect(sub.codes).toEqual(['FORBIDDEN']);
    expect(sub.completed).toBe(true);
  });

  it('ends a kicked member\'s subscription with FORBIDDEN, and leaves other members\' alone', async () => {
    const own = await openRoom(veza.url, ['Kicked', 'Staying']);
    const [kicked, staying] = own.members as [TestUser, TestUser];
    const c = client();
    const gone = record(c, LiveMessagesDocument, { channelId: own.channelId }, assertionFor(veza, kicked.id));
    const kept = record(c, LiveMessagesDocument, { channelId: own.channelId }, assertionFor(veza, staying.id));
    await live(2);
    dataOf(await request(veza.url, KickDocument, { input: { communityId: own.communityId, userId: kicked.id } }, own.owner.token));
    await gone.ended();
    expect(gone.codes).toEqual(['FORBIDDEN']);
    expect(gone.completed).toBe(true);
    // The other member's subscription still delivers.
    await send(own.owner, 'after the kick', own.channelId);
    await kept.until((r) => r.data.length === 1);
    expect(kept.completed).toBe(false);
  });

  it('delivers edits, deletions, reactions and others\' typing', async () => {
    const own = await openRoom(veza.url, ['Typist']);
    const typist = own.members[0]!;
    const c = client();
    const as = assertionFor(veza, typist.id);
    const edits = record(c, LiveMessageEditsDocument, { channelId: own.channelId }, as);
    const deletions = record(c, LiveMessageDeletionsDocument, { channelId: own.channelId }, as);
    const reactions = record(c, LiveReactionsDocument, { channelId: own.channelId }, as);
    const typing = record(c, LiveTypingDocument, { channelId: own.channelId }, as);
    await live(4);
    const m = await send(own.owner, 'first draft', own.channelId);
    dataOf(await request(veza.url, EditMessageDocument, { messageId: m.id, body: 'final' }, own.owner.token));
    dataOf(await request(veza.url, AddReactionDocument, { messageId: m.id, emoji: '🎉' }, typist.token));
    // The typist's own notice is not sent back to them; the owner's is.
    dataOf(await request(veza.url, StartTypingDocument, { channelId: own.channelId }, typist.token));
    dataOf(await request(veza.url, StartTypingDocument, { channelId: own.channelId }, own.owner.token));
    await edits.until((r) => r.data.length === 1);
    expect(edits.data[0]?.messageUpdated).toMatchObject({ id: m.id, body: 'final', pinned: false });
    await reactions.until((r) => r.data.length === 1);
    expect(reactions.data[0]?.reactionChanged).toEqual({
      messageId: m.id, emoji: '🎉', added: true, user: { id: typist.id }, message: { id: m.id, reactions: [{ emoji: '🎉', count: 1, viewerReacted: true }] },
    });
    await typing.until((r) => r.data.length === 1);
    expect(typing.data[0]?.typing).toMatchObject({ channelId: own.channelId, threadId: null, user: { id: own.owner.id } });
    dataOf(await request(veza.url, DeleteMessageDocument, { messageId: m.id }, own.owner.token));
    await deletions.until((r) => r.data.length === 1);
    expect(deletions.data[0]?.messageDeleted).toEqual({ id: m.id, channelId: own.channelId, threadId: null, position: m.position });
    expect(typing.data).toHaveLength(1);
  });
});
