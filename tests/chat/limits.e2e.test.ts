/** Flood control: a burst limit per user and channel, and slow mode, both answered with RATE_LIMITED and a retry-after. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, dataOf, request, startTestVeza, type TestUser, type TestVeza } from '../support/index.ts';
import { SendDocument, SlowModeDocument } from '../generated/graphql.ts';
import { openRoom, type Room } from './support.ts';

describe('send limits', () => {
  let veza: TestVeza;
  let room: Room;
  beforeAll(async () => {
    veza = await startTestVeza('production', { env: { SEND_BURST_LIMIT: '5' } });
    room = await openRoom(veza.url, ['Flooder', 'Calm']);
  });
  afterAll(async () => {
    await veza?.stop();
  });

  it('stops a flood after the burst limit, without touching other members', async () => {
    const [flooder, calm] = room.members as [TestUser, TestUser];
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 7; i++) codes.push(codeOf(await request(veza.url, SendDocument, { input: { channelId: room.channelId, body: `spam ${i}` } }, flooder.token)));
    expect(codes).toEqual([undefined, undefined, undefined, undefined, undefined, 'RATE_LIMITED', 'RATE_LIMITED']);
    const limited = await request(veza.url, SendDocument, { input: { channelId: room.channelId, body: 'more' } }, flooder.token);
    expect(limited.errors?.[0]?.extensions?.['retryAfter']).toBeGreaterThan(0);
    expect(codeOf(await request(veza.url, SendDocument, { input: { channelId: room.channelId, body: 'hello' } }, calm.token))).toBeUndefined();
  });

  it('applies slow mode to members but not to those who manage the channel', async () => {
    const [, calm] = room.members as [TestUser, TestUser];
    dataOf(await request(veza.url, SlowModeDocument, { channelId: room.channelId, seconds: 60 }, room.owner.token));
    expect(codeOf(await request(veza.url, SendDocument, { input: { channelId: room.channelId, body: 'one' } }, calm.token))).toBeUndefined();
    const second = await request(veza.url, SendDocument, { input: { channelId: room.channelId, body: 'two' } }, calm.token);
    expect(codeOf(second)).toBe('RATE_LIMITED');
    expect(second.errors?.[0]?.extensions?.['retryAfter']).toBeGreaterThan(50);
    for (const body of ['owner one', 'owner two']) {
      expect(codeOf(await request(veza.url, SendDocument, { input: { channelId: room.channelId, body } }, room.owner.token))).toBeUndefined();
    }
  });
});
