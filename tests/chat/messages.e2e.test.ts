/**
 * Chat through the gateway: two members talk (edits, deletes, replies, reactions, pins);
 * a stranger sees none of it; bad input is refused with its code and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, dataOf, request, signUpUser, startTestVeza, type TestUser, type TestVeza } from '../support/index.ts';
import {
  AddReactionDocument,
  ConversationDocument,
  DeleteMessageDocument,
  EditMessageDocument,
  MessageViewDocument,
  PinMessageDocument,
  RemoveReactionDocument,
  SendDocument,
} from '../generated/graphql.ts';
import { openRoom, type Room } from './support.ts';

describe('chat messages', () => {
  let veza: TestVeza;
  let room: Room;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  beforeAll(async () => {
    veza = await startTestVeza('production');
    room = await openRoom(veza.url, ['Alice', 'Bob']);
    [alice, bob] = room.members as [TestUser, TestUser];
    carol = await signUpUser(veza.url, 'Carol');
  });
  afterAll(async () => {
    await veza?.stop();
  });

  const send = async (who: TestUser, body: string, replyToId?: string) =>
    dataOf(await request(veza.url, SendDocument, { input: { channelId: room.channelId, body, ...(replyToId ? { replyToId } : {}) } }, who.token)).sendMessage;
  const conversation = async (who: TestUser) => dataOf(await request(veza.url, ConversationDocument, { channelId: room.channelId, first: 50 }, who.token)).channel;

  it('shows both members the same conversation, and the stranger nothing', async () => {
    const hello = await send(alice, `hello <@${bob.id}>, @everyone`);
    expect(hello.mentions).toEqual([{ id: bob.id }]);
    expect(hello.mentionsEveryone).toBe(false); // members lack MENTION_EVERYONE by default
    const reply = await send(bob, 'hi Alice', hello.id);
    expect(reply.replyTo).toEqual({ id: hello.id, body: hello.body });
    const typo = await send(alice, 'teh plan');
    dataOf(await request(veza.url, EditMessageDocument, { messageId: typo.id, body: 'the plan' }, alice.token));
    const oops = await send(bob, 'wrong room');
    dataOf(await request(veza.url, DeleteMessageDocument, { messageId: oops.id }, bob.token));
    dataOf(await request(veza.url, AddReactionDocument, { messageId: hello.id, emoji: '👋' }, bob.token));
    const reacted = dataOf(await request(veza.url, AddReactionDocument, { messageId: hello.id, emoji: '👋🏽' }, alice.token)).addReaction;
    expect(reacted.reactions).toEqual([
      { emoji: '👋', count: 1, viewerReacted: false },
      { emoji: '👋🏽', count: 1, viewerReacted: true },
    ]);
    dataOf(await request(veza.url, PinMessageDocument, { messageId: typo.id }, room.owner.token));

    for (const who of [alice, bob]) {
      const c = await conversation(who);
      expect(c?.messages.edges.map((e) => [e.node.body, e.node.author.displayName, e.node.replyTo?.body ?? null])).toEqual([
        [hello.body, 'Alice', null],
        ['hi Alice', 'Bob', hello.body],
        ['the plan', 'Alice', null],
      ]);
      expect(c?.messages.edges[2]?.node.editedAt).not.toBeNull();
      expect(c?.messages.edges[0]?.node.reactions.map((r) => r.count)).toEqual([1, 1]);
      expect(c?.pinnedMessages).toEqual([{ id: typo.id }]);
    }
    // Removing a reaction takes it away for everyone.
    const after = dataOf(await request(veza.url, RemoveReactionDocument, { messageId: hello.id, emoji: '👋' }, bob.token)).removeReaction;
    expect(after.reactions.map((r) => r.emoji)).toEqual(['👋🏽']);

    // Carol, not a member, sees none of it and can change none of it.
    expect(dataOf(await request(veza.url, ConversationDocument, { channelId: room.channelId }, carol.token)).channel).toBeNull();
    expect(dataOf(await request(veza.url, MessageViewDocument, { id: hello.id }, carol.token)).message).toBeNull();
    expect(codeOf(await request(veza.url, AddReactionDocument, { messageId: hello.id, emoji: '👎' }, carol.token))).toBe('NOT_FOUND');
    expect(codeOf(await request(veza.url, SendDocument, { input: { channelId: room.channelId, body: 'let me in' } }, carol.token))).toBe('NOT_FOUND');
  });

  it('refuses bad input with its code and writes nothing', async () => {
    const mine = await send(alice, 'mine');
    const base = (await conversation(alice))!.messages.edges.length;
    expect(codeOf(await request(veza.url, SendDocument, { input: { channelId: room.channelId, body: '' } }, alice.token))).toBe('BAD_USER_INPUT');
    expect(codeOf(await request(veza.url, SendDocument, { input: { channelId: room.channelId, body: 'x'.repeat(4001) } }, alice.token))).toBe('BAD_USER_INPUT');
    expect(codeOf(await request(veza.url, SendDocument, { input: { channelId: '01a20fd8-0000-7000-8000-000000000000', body: 'hi' } }, alice.token))).toBe('NOT_FOUND');
    expect(codeOf(await request(veza.url, SendDocument, { input: { channelId: room.channelId, body: 'hi', replyToId: '01a20fd8-0000-7000-8000-000000000000' } }, alice.token))).toBe('BAD_USER_INPUT');
    for (const emoji of ['not an emoji', 'ab', '👋👋', '']) {
      expect(codeOf(await request(veza.url, AddReactionDocument, { messageId: mine.id, emoji }, bob.token))).toBe('BAD_USER_INPUT');
    }
    expect(codeOf(await request(veza.url, EditMessageDocument, { messageId: mine.id, body: 'hacked' }, bob.token))).toBe('FORBIDDEN');
    expect(codeOf(await request(veza.url, DeleteMessageDocument, { messageId: mine.id }, bob.token))).toBe('FORBIDDEN');
    expect(codeOf(await request(veza.url, PinMessageDocument, { messageId: mine.id }, bob.token))).toBe('FORBIDDEN');
    const c = (await conversation(alice))!;
    expect(c.messages.edges.length).toBe(base);
    expect(c.messages.edges.at(-1)?.node).toMatchObject({ body: 'mine', reactions: [] });
  });
});
