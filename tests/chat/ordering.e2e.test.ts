/**
 * Ordering, resume and idempotency: a client that drops out during a burst of 1,000
 * messages catches up from its last position with exactly what it missed; 50 concurrent
 * sends with one nonce make one message; a page of 50 messages with authors, reactions
 * and reply previews costs the same SQL as a page of 10.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataOf, request, startTestVeza, type TestUser, type TestVeza } from '../support/index.ts';
import { isOperationStatement } from '../../platform/db/orm.ts';
import { AddReactionDocument, ConversationDocument, PositionsDocument, SendDocument } from '../generated/graphql.ts';
import { openRoom, type Room } from './support.ts';

describe('message ordering and resume', () => {
  let veza: TestVeza;
  let room: Room;
  let counting = false;
  const statements = new Map<string, number>();
  beforeAll(async () => {
    veza = await startTestVeza('production', {
      // Bursts of sends are the point here, so the flood limit is lifted.
      env: { SEND_BURST_LIMIT: '100000' },
      onQuery: (subgraph, sql) => {
        // Transaction control and the outbox relay (polling in the background) are not the page's.
        if (!counting || !isOperationStatement(sql)) return;
        statements.set(subgraph, (statements.get(subgraph) ?? 0) + 1);
      },
    });
    room = await openRoom(veza.url, ['Writer', 'Reader']);
  });
  afterAll(async () => {
    await veza?.stop();
  });

  async function burst(who: TestUser, channelId: string, count: number, label: string): Promise<void> {
    const queue = Array.from({ length: count }, (_, i) => i);
    // Ten senders at once: positions must still come out dense and ordered.
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
          dataOf(await request(veza.url, SendDocument, { input: { channelId, body: `${label} ${i}` } }, who.token));
        }
      }),
    );
  }

  it('lets a client that left mid-burst fetch exactly what it missed, in order', async () => {
    const [writer, reader] = room.members as [TestUser, TestUser];
    const seen: { position: number; body: string }[] = [];
    const first = dataOf(await request(veza.url, PositionsDocument, { channelId: room.channelId, first: 100 }, reader.token));
    seen.push(...first.channel!.messages.edges.map((e) => e.node));
    await burst(writer, room.channelId, 1000, 'burst');
    // The reader comes back and pages from the last position it saw.
    for (let more = true; more; ) {
      const last = seen.at(-1)?.position ?? 0;
      const page = dataOf(await request(veza.url, PositionsDocument, { channelId: room.channelId, first: 100, afterPosition: last }, reader.token));
      seen.push(...page.channel!.messages.edges.map((e) => e.node));
      more = page.channel!.messages.pageInfo.hasNextPage;
    }
    expect(seen).toHaveLength(1000);
    expect(seen.map((m) => m.position)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(new Set(seen.map((m) => m.body)).size).toBe(1000);
  });

  it('makes one message of 50 concurrent sends with the same nonce', async () => {
    const [writer] = room.members as [TestUser];
    const results = await Promise.all(
      Array.from({ length: 50 }, () => request(veza.url, SendDocument, { input: { channelId: room.channelId, body: 'only once', nonce: 'nonce-42' } }, writer.token)),
    );
    const ids = new Set(results.map((r) => dataOf(r).sendMessage.id));
    expect(ids.size).toBe(1);
    // The burst above took positions 1 to 1,000: the 50 sends took exactly one more.
    const tail = dataOf(await request(veza.url, PositionsDocument, { channelId: room.channelId, first: 100, afterPosition: 1000 }, writer.token));
    expect(tail.channel!.messages.edges.map((e) => e.node)).toEqual([{ position: 1001, body: 'only once' }]);
  });

  it('costs the same SQL per subgraph for 10 or 50 messages with authors, reactions and replies', async () => {
    const room2 = await openRoom(veza.url, ['A', 'B']);
    const [a, b] = room2.members as [TestUser, TestUser];
    let previous: string | undefined;
    for (let i = 0; i < 60; i++) {
      const who = i % 2 ? a : b;
      const sent = dataOf(await request(veza.url, SendDocument, { input: { channelId: room2.channelId, body: `m${i}`, ...(previous ? { replyToId: previous } : {}) } }, who.token)).sendMessage;
      if (i % 3 === 0) dataOf(await request(veza.url, AddReactionDocument, { messageId: sent.id, emoji: '🔥' }, a.token));
      previous = sent.id;
    }
    const measure = async (first: number) => {
      statements.clear();
      counting = true;
      const page = dataOf(await request(veza.url, ConversationDocument, { channelId: room2.channelId, first }, a.token));
      counting = false;
      expect(page.channel?.messages.edges).toHaveLength(first);
      return Object.fromEntries(statements);
    };
    const small = await measure(10);
    const large = await measure(50);
    expect(small['chat']).toBeGreaterThan(0);
    expect(small['community']).toBeGreaterThan(0);
    expect(large).toEqual(small);
  });
});
