/** The chat subgraph: messages in channels (more to come: threads, reactions, read states...). */
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { SubgraphModule } from '../../platform/subgraph/module.ts';
import { createChatContext, type ChatContext, type ChatServices } from './context.ts';
import { Attachment, ChannelSequence, Message, Reaction, ReadState, Thread, ThreadMember } from './entities/index.ts';
import { migrations } from './migrations/index.ts';
import { resolvers } from './resolvers/index.ts';
import { ChannelAccessClient } from './services/channel-access.ts';
import { MessageService } from './services/messages.ts';
import { BURST, SendLimits } from './services/send-limits.ts';
import { MessageChangeService } from './services/message-changes.ts';
import { ReactionService } from './services/reactions.ts';
import { ReadStateService } from './services/read-states.ts';
import { ThreadService } from './services/threads.ts';
import { MessageSearch } from './services/search.ts';
import { AttachmentService } from './services/attachments.ts';
import { ModerationEvents } from './services/moderation-events.ts';
import { ChatEvents } from './services/chat-events.ts';
import { TypingService } from './services/typing.ts';
import { ChannelAccessWatch } from './services/access-watch.ts';
import { ChannelFeeds } from './services/channel-feeds.ts';
import { OutboxEntry, OutboxRelay } from '../../platform/events/outbox.ts';
import type { EventTopics } from '../../platform/events/bus.ts';

export const entities = [Message, ChannelSequence, Reaction, ReadState, Thread, ThreadMember, Attachment, OutboxEntry] as const;
export { migrations };

export function chatSubgraph(): SubgraphModule<ChatContext, ChatServices> {
  return {
    name: 'chat',
    typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
    resolvers,
    entities,
    migrations,
    createServices: (db, platform) => {
      const attachments = new AttachmentService(platform.store);
      const relay = new OutboxRelay({ schema: 'chat', fork: () => db.fork(), bus: platform.bus, pubsub: platform.pubsub, logger: platform.logger });
      const events = new ChatEvents(platform.config.redisPrefix);
      const published = () => relay.kick();
      const access = new ChannelAccessClient(platform.internal);
      const messages = new MessageService(new SendLimits(platform.rateLimiter, { ...BURST, limit: platform.config.sendBurstLimit }), attachments, events, published);
      const threads = new ThreadService();
      const watch = new ChannelAccessWatch(platform.pubsub, access, platform.config.redisPrefix);
      return {
        relay,
        events,
        attachments,
        messages,
        changes: new MessageChangeService(events, published),
        reactions: new ReactionService(events, published),
        readStates: new ReadStateService(),
        threads,
        search: new MessageSearch(platform.internal),
        typing: new TypingService(platform.pubsub, events, platform.rateLimiter),
        access,
        feeds: new ChannelFeeds({ pubsub: platform.pubsub, events, watch, messages, threads, logger: platform.logger }),
        internal: platform.internal,
      };
    },
    createContext: (base, services) => createChatContext(base, services),
    async startBackground({ db, platform, services }) {
      services.relay.start();
      const moderation = new ModerationEvents(services.events, () => services.relay.kick());
      const stop = await platform.bus.consume<EventTopics['community.member.removed']>('community.member.removed', 'chat', async (e) => {
        await moderation.onMemberRemoved(db.fork(), e);
      });
      return async () => {
        await stop();
        await services.feeds.close();
        await services.relay.stop();
      };
    },
  };
}
