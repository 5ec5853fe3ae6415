/** Threads through the gateway: from a message or stand-alone, their own positions, archiving, permissions. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, dataOf, request, signUpUser, startTestVeza, type TestUser, type TestVeza } from '../support/index.ts';
import { ArchiveThreadDocument, ChannelThreadsDocument, JoinThreadDocument, SendDocument, StartThreadDocument, ThreadViewDocument } from '../generated/graphql.ts';
import { openRoom, type Room } from './support.ts';

describe('threads', () => {
  let veza: TestVeza;
  let room: Room;
  beforeAll(async () => {
    veza = await startTestVeza('production');
    room = await openRoom(veza.url, ['Starter', 'Joiner']);
  });
  afterAll(async () => {
    await veza?.stop();
  });

  it('keeps a thread apart from its channel, with its own positions and followers', async () => {
    const [starter, joiner] = room.members as [TestUser, TestUser];
    const root = dataOf(await request(veza.url, SendDocument, { input: { channelId: room.channelId, body: 'shall we plan the gig?' } }, starter.token)).sendMessage;
    const thread = dataOf(await request(veza.url, StartThreadDocument, { input: { channelId: room.channelId, name: 'Gig plan', messageId: root.id } }, starter.token)).startThread;
    expect(thread).toMatchObject({ name: 'Gig plan', archived: false, memberCount: 1, viewerIsMember: true, parentMessage: { id: root.id } });
    expect(codeOf(await request(veza.url, StartThreadDocument, { input: { channelId: room.channelId, name: 'Again', messageId: root.id } }, starter.token))).toBe('BAD_USER_INPUT');

    for (const [who, body] of [[starter, 'Friday?'], [joiner, 'Works for me']] as const) {
      dataOf(await request(veza.url, SendDocument, { input: { channelId: room.channelId, threadId: thread.id, body } }, who.token));
    }
    const view = dataOf(await request(veza.url, ThreadViewDocument, { id: thread.id }, joiner.token)).thread;
    expect(view?.messages.edges.map((e) => [e.node.position, e.node.body, e.node.thread?.id])).toEqual([
      [1, 'Friday?', thread.id],
      [2, 'Works for me', thread.id],
    ]);
    expect(view?.memberCount).toBe(2);
    // The channel shows the root message with its thread, not the thread's messages.
    const channel = dataOf(await request(veza.url, ChannelThreadsDocument, { channelId: room.channelId }, joiner.token)).channel;
    expect(channel?.messages.edges.map((e) => [e.node.body, e.node.startedThread?.id ?? null])).toEqual([['shall we plan the gig?', thread.id]]);
    expect(channel?.threads.edges.map((e) => e.node.name)).toEqual(['Gig plan']);
  });

  it('archives: members cannot write in an archived thread; only its creator or a manager archives', async () => {
    const [starter, joiner] = room.members as [TestUser, TestUser];
    const thread = dataOf(await request(veza.url, StartThreadDocument, { input: { channelId: room.channelId, name: 'Side chat' } }, starter.token)).startThread;
    dataOf(await request(veza.url, JoinThreadDocument, { threadId: thread.id }, joiner.token));
    expect(codeOf(await request(veza.url, ArchiveThreadDocument, { threadId: thread.id, archived: true }, joiner.token))).toBe('FORBIDDEN');
    dataOf(await request(veza.url, ArchiveThreadDocument, { threadId: thread.id, archived: true }, starter.token));
    expect(codeOf(await request(veza.url, SendDocument, { input: { channelId: room.channelId, threadId: thread.id, body: 'late' } }, joiner.token))).toBe('BAD_USER_INPUT');
    const open = dataOf(await request(veza.url, ChannelThreadsDocument, { channelId: room.channelId }, joiner.token)).channel?.threads.edges.map((e) => e.node.name);
    expect(open).not.toContain('Side chat');
    const all = dataOf(await request(veza.url, ChannelThreadsDocument, { channelId: room.channelId, includeArchived: true }, joiner.token)).channel?.threads.edges.map((e) => e.node.name);
    expect(all).toContain('Side chat');
    const stranger = await signUpUser(veza.url, 'Stranger');
    expect(dataOf(await request(veza.url, ThreadViewDocument, { id: thread.id }, stranger.token)).thread).toBeNull();
  });
});
