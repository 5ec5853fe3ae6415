/** Typing indicators: a live event that expires after 8 seconds, throttled, never stored, refused to non-members. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, dataOf, request, signUpUser, startTestVeza, type TestUser, type TestVeza } from '../support/index.ts';
import { StartTypingDocument } from '../generated/graphql.ts';
import { openRoom, type Room } from './support.ts';
import type { TypingPayload } from '../../subgraphs/chat/services/typing.ts';

describe('typing indicators', () => {
  let veza: TestVeza;
  let room: Room;
  beforeAll(async () => {
    veza = await startTestVeza('production');
    room = await openRoom(veza.url, ['Typist']);
  });
  afterAll(async () => {
    await veza?.stop();
  });

  it('announces typing to the channel, expiring after 8 seconds, at most once per 3 seconds', async () => {
    const [typist] = room.members as [TestUser];
    const { pubsub, config } = veza.veza.platform.services;
    const seen: TypingPayload[] = [];
    await pubsub.subscribe(`${config.redisPrefix}chat.typing.${room.channelId}`, (p: TypingPayload) => void seen.push(p), {});
    const before = Date.now();
    expect(dataOf(await request(veza.url, StartTypingDocument, { channelId: room.channelId }, typist.token)).startTyping).toBe(true);
    expect(dataOf(await request(veza.url, StartTypingDocument, { channelId: room.channelId }, typist.token)).startTyping).toBe(false);
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0]).toMatchObject({ channelId: room.channelId, threadId: null, userId: typist.id });
    const expires = Date.parse(seen[0]!.expiresAt);
    expect(expires - before).toBeGreaterThanOrEqual(8000);
    expect(expires - before).toBeLessThan(20_000);
    const outsider = await signUpUser(veza.url, 'Outsider');
    expect(codeOf(await request(veza.url, StartTypingDocument, { channelId: room.channelId }, outsider.token))).toBe('NOT_FOUND');
  });
});
