/** Read states: unread and mention counts per channel and per community, exact while messages arrive. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataOf, request, startTestVeza, type TestUser, type TestVeza } from '../support/index.ts';
import { CreateChannelDocument, MarkReadDocument, SendDocument, UnreadDocument } from '../generated/graphql.ts';
import { openRoom, type Room } from './support.ts';

describe('read states', () => {
  let veza: TestVeza;
  let room: Room;
  beforeAll(async () => {
    veza = await startTestVeza('production', { env: { SEND_BURST_LIMIT: '1000' } });
    room = await openRoom(veza.url, ['Writer', 'Reader']);
  });
  afterAll(async () => {
    await veza?.stop();
  });

  it('counts what others wrote since the last read, mentions apart, per channel and community', async () => {
    const [writer, reader] = room.members as [TestUser, TestUser];
    const other = dataOf(await request(veza.url, CreateChannelDocument, { input: { communityId: room.communityId, name: 'other' } }, room.owner.token)).createChannel;
    const send = (channelId: string, body: string, who: TestUser = writer) =>
      request(veza.url, SendDocument, { input: { channelId, body } }, who.token).then(dataOf);
    await send(room.channelId, 'one');
    await send(room.channelId, `two <@${reader.id}>`);
    await send(room.channelId, 'my own words', reader);
    await send(other.id, `three <@${reader.id}>`);
    const counts = async () => dataOf(await request(veza.url, UnreadDocument, { channelId: room.channelId, communityId: room.communityId }, reader.token));
    expect(await counts()).toEqual({
      channel: { id: room.channelId, lastReadPosition: 0, unreadCount: 2, mentionCount: 1 },
      community: { id: room.communityId, unreadCount: 3, mentionCount: 2 },
    });
    // Sends racing with the read: marking up to position 2 leaves exactly what came after.
    await Promise.all([send(room.channelId, 'four'), send(room.channelId, 'five')]);
    const marked = dataOf(await request(veza.url, MarkReadDocument, { channelId: room.channelId, position: 2 }, reader.token)).markChannelRead;
    expect(marked).toEqual({ id: room.channelId, lastReadPosition: 2, unreadCount: 2, mentionCount: 0 });
    // Never backwards.
    expect(dataOf(await request(veza.url, MarkReadDocument, { channelId: room.channelId, position: 1 }, reader.token)).markChannelRead.lastReadPosition).toBe(2);
    const all = dataOf(await request(veza.url, MarkReadDocument, { channelId: room.channelId }, reader.token)).markChannelRead;
    expect(all).toMatchObject({ lastReadPosition: 5, unreadCount: 0 });
    expect((await counts()).community).toEqual({ id: room.communityId, unreadCount: 1, mentionCount: 1 });
  });
});
