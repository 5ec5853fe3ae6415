import { describe, expect, it } from 'vitest';
import type { EntityManager } from '../../../platform/db/orm.ts';
import { createPubSub } from '../../../platform/events/pubsub.ts';
import { createLogger } from '../../../platform/logger.ts';
import type { InternalClient } from '../../../platform/subgraph/internal-client.ts';
import { ChannelAccessWatch } from './access-watch.ts';
import { ChannelAccessClient, type ChannelAccess } from './channel-access.ts';
import { ChannelFeeds } from './channel-feeds.ts';
import { ChatEvents, type MessageEventPayload } from './chat-events.ts';
import type { MessageService } from './messages.ts';
import type { ThreadService } from './threads.ts';

const PREFIX = 'test:';
const CHANNEL = '01000000-0000-7000-8000-000000000001';
const THREAD = '01000000-0000-7000-8000-000000000002';
const VIEWER = '01000000-0000-7000-8000-000000000003';

/** Community lets everyone read the channel. */
class Readable extends ChannelAccessClient {
  constructor() {
    super(null as unknown as InternalClient);
  }
  override async check(): Promise<ChannelAccess> {
    return { canView: true, canSend: true, permissions: ['VIEW_CHANNEL', 'READ_MESSAGE_HISTORY'], communityId: 'community-1', slowModeSeconds: 0 };
  }
}

/**
 * Feeds over the in-process pub/sub; the database is a counter of how often a source asked
 * for its entity manager, and a thread lookup that finds the thread of `CHANNEL`.
 */
function setUp() {
  const { pubsub } = createPubSub(undefined);
  const events = new ChatEvents(PREFIX);
  const threads = { find: async (_em: EntityManager, id: string) => ({ id, channelId: CHANNEL }) } as unknown as ThreadService;
  const feeds = new ChannelFeeds({
    pubsub,
    events,
    watch: new ChannelAccessWatch(pubsub, new Readable(), PREFIX),
    messages: {} as MessageService,
    threads,
    logger: createLogger('silent'),
  });
  let asked = 0;
  const em = () => {
    asked++;
    return {} as EntityManager;
  };
  return { pubsub, events, feeds, em, asked: () => asked };
}

describe('ChannelFeeds', () => {
  it('never asks for an entity manager for a guard, a feed or a live-only subscription, and still delivers', async () => {
    const { pubsub, events, feeds, em, asked } = setUp();
    const guard = await feeds.messageAdded(em, VIEWER, { channelId: CHANNEL }, 'guard');
    const feed = await feeds.messageAdded(em, null, { channelId: CHANNEL }, 'feed');
    const direct = await feeds.messageAdded(em, VIEWER, { channelId: CHANNEL });
    const typing = await feeds.typing(em, VIEWER, { channelId: CHANNEL });
    const payload: MessageEventPayload = { id: 'm1', channelId: CHANNEL, threadId: null, communityId: 'community-1', authorId: VIEWER, body: 'hello', position: 1, createdAt: new Date(0).toISOString(), editedAt: null };
    await pubsub.publish(events.trigger('messageAdded', CHANNEL), payload);
    expect((await feed.next()).value).toMatchObject({ id: 'm1', position: 1 });
    expect((await direct.next()).value).toMatchObject({ id: 'm1', position: 1 });
    expect(asked()).toBe(0);
    for (const source of [guard, feed, direct, typing]) await source.return?.();
  });

  it('asks for it once when a subscription names a thread, to check the thread is the channel\'s', async () => {
    const { feeds, em, asked } = setUp();
    const inThread = await feeds.messageAdded(em, VIEWER, { channelId: CHANNEL, threadId: THREAD });
    expect(asked()).toBe(1);
    await inThread.return?.();
  });
});
