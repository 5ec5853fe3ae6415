/** Message search honours permissions: a hidden channel's messages are found by those who may read it only. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataOf, request, signUpUser, startTestVeza, type TestUser, type TestVeza } from '../support/index.ts';
import { CreateChannelDocument, SearchMessagesDocument, SendDocument, SetOverwriteDocument } from '../generated/graphql.ts';
import { openRoom, type Room } from './support.ts';

describe('message search', () => {
  let veza: TestVeza;
  let room: Room;
  beforeAll(async () => {
    veza = await startTestVeza('embedded');
    room = await openRoom(veza.url, ['Seeker']);
  });
  afterAll(async () => {
    await veza?.stop();
  });

  it('finds words by prefix in the channels the viewer may read, and nowhere else', async () => {
    const [seeker] = room.members as [TestUser];
    const staff = dataOf(await request(veza.url, CreateChannelDocument, { input: { communityId: room.communityId, name: 'staff' } }, room.owner.token)).createChannel;
    dataOf(await request(veza.url, SetOverwriteDocument, { input: { channelId: staff.id, targetType: 'ROLE', targetId: room.communityId, deny: ['VIEW_CHANNEL'] } }, room.owner.token));
    const send = (channelId: string, body: string) => request(veza.url, SendDocument, { input: { channelId, body } }, room.owner.token).then(dataOf);
    await send(room.channelId, 'The guitarist is late again');
    await send(room.channelId, 'Bring the drums');
    await send(staff.id, 'Pay the guitarist on Friday');
    const find = async (who: TestUser, query: string, channelId?: string) =>
      dataOf(await request(veza.url, SearchMessagesDocument, { communityId: room.communityId, query, ...(channelId ? { channelId } : {}) }, who.token)).searchMessages.edges.map((e) => e.node.body).sort();
    expect(await find(room.owner, 'guitar')).toEqual(['Pay the guitarist on Friday', 'The guitarist is late again']);
    expect(await find(room.owner, 'guitar', room.channelId)).toEqual(['The guitarist is late again']);
    expect(await find(seeker, 'guitar')).toEqual(['The guitarist is late again']);
    expect(await find(seeker, 'friday')).toEqual([]);
    expect(await find(seeker, '&|!:*')).toEqual([]);
    const outsider = await signUpUser(veza.url, 'Outsider');
    expect(await find(outsider, 'guitar')).toEqual([]);
  });
});
