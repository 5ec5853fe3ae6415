/**
 * Rule: events are published only for committed changes. A send that fails after its
 * insert (forced here by a trigger in the real database) publishes nothing, neither on
 * the event bus nor to live subscribers, and takes no position.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, dataOf, request, startTestVeza, type TestUser, type TestVeza } from '../support/index.ts';
import { SendDocument } from '../generated/graphql.ts';
import { openRoom, type Room } from './support.ts';
import type { MessageEventPayload } from '../../subgraphs/chat/services/chat-events.ts';

describe('events after commit', () => {
  let veza: TestVeza;
  let room: Room;
  beforeAll(async () => {
    veza = await startTestVeza('production');
    room = await openRoom(veza.url, ['Sender']);
    const db = new pg.Client({ connectionString: veza.config.databaseUrl });
    await db.connect();
    await db.query(`create function chat.explode() returns trigger language plpgsql as $$
      begin if new.body = 'explode' then raise exception 'forced failure after insert'; end if; return new; end $$`);
    await db.query('create trigger explode after insert on chat.messages for each row execute function chat.explode()');
    await db.end();
  });
  afterAll(async () => {
    await veza?.stop();
  });

  it('publishes nothing for a send that rolled back', async () => {
    const [sender] = room.members as [TestUser];
    const { bus, pubsub, config } = veza.veza.platform.services;
    const domain: string[] = [];
    const live: string[] = [];
    await bus.consume<MessageEventPayload>('chat.message.created', 'test-observer', async (e) => void domain.push(e.payload.body));
    const trigger = `${config.redisPrefix}chat.messageAdded.${room.channelId}`;
    await pubsub.subscribe(trigger, (p: MessageEventPayload) => void live.push(p.body), {});

    const failed = await request(veza.url, SendDocument, { input: { channelId: room.channelId, body: 'explode' } }, sender.token);
    expect(codeOf(failed)).toBe('INTERNAL_SERVER_ERROR');
    const ok = dataOf(await request(veza.url, SendDocument, { input: { channelId: room.channelId, body: 'fine' } }, sender.token)).sendMessage;
    expect(ok.position).toBe(1);

    // Events arrive in order: once 'fine' is here, an 'explode' event would have come first.
    await expect.poll(() => domain).toContain('fine');
    await expect.poll(() => live).toContain('fine');
    expect(domain).toEqual(['fine']);
    expect(live).toEqual(['fine']);
  });
});
