/** A ban with a purge window deletes the banned user's recent messages, through the event bus. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataOf, request, startTestVeza, type TestUser, type TestVeza } from '../support/index.ts';
import { BanAndPurgeDocument, PositionsDocument, SendDocument } from '../generated/graphql.ts';
import { openRoom, type Room } from './support.ts';

describe('ban with purge', () => {
  let veza: TestVeza;
  let room: Room;
  beforeAll(async () => {
    veza = await startTestVeza('production');
    room = await openRoom(veza.url, ['Troll', 'Regular']);
  });
  afterAll(async () => {
    await veza?.stop();
  });

  it("removes the banned member's messages of the window and keeps everyone else's", async () => {
    const [troll, regular] = room.members as [TestUser, TestUser];
    for (const body of ['spam 1', 'spam 2']) dataOf(await request(veza.url, SendDocument, { input: { channelId: room.channelId, body } }, troll.token));
    dataOf(await request(veza.url, SendDocument, { input: { channelId: room.channelId, body: 'please stop' } }, regular.token));
    dataOf(await request(veza.url, BanAndPurgeDocument, { input: { communityId: room.communityId, userId: troll.id, reason: 'spam' }, seconds: 3600 }, room.owner.token));
    const bodies = async () =>
      dataOf(await request(veza.url, PositionsDocument, { channelId: room.channelId, first: 50 }, regular.token)).channel!.messages.edges.map((e) => e.node.body);
    await expect.poll(bodies).toEqual(['please stop']);
  });
});
