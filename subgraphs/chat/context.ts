import DataLoader from 'dataloader';
import type { BaseSubgraphContext } from '../../platform/subgraph/module.ts';
import { Attachment, Message, Thread } from './entities/index.ts';
import type { AttachmentService } from './services/attachments.ts';
import type { TypingService } from './services/typing.ts';
import type { ChannelAccess, ChannelAccessClient } from './services/channel-access.ts';
import type { MessageChangeService } from './services/message-changes.ts';
import type { MessageService } from './services/messages.ts';
import type { ReactionGroup, ReactionService } from './services/reactions.ts';
import type { ChannelUnread, ReadStateService } from './services/read-states.ts';
import type { InternalClient } from '../../platform/subgraph/internal-client.ts';
import type { ThreadService } from './services/threads.ts';
import type { OutboxRelay } from '../../platform/events/outbox.ts';
import type { ChatEvents } from './services/chat-events.ts';
import type { MessageSearch } from './services/search.ts';
import type { ChannelFeeds } from './services/channel-feeds.ts';

export interface ChatServices {
  /** Publishes what transactions wrote to the outbox. */
  relay: OutboxRelay;
  events: ChatEvents;
  messages: MessageService;
  changes: MessageChangeService;
  reactions: ReactionService;
  readStates: ReadStateService;
  threads: ThreadService;
  search: MessageSearch;
  attachments: AttachmentService;
  typing: TypingService;
  access: ChannelAccessClient;
  /** Live subscription sources. */
  feeds: ChannelFeeds;
  internal: InternalClient;
}

/** Per request: the services (but the outbox machinery), DataLoaders, and the caller. */
export interface ChatContext extends BaseSubgraphContext, Omit<ChatServices, 'relay' | 'events' | 'access'> {
  loaders: {
    attachmentsOf: DataLoader<string, Attachment[]>;
    /** Unread counts of the viewer, per channel, in one query per request. */
    unread: DataLoader<string, ChannelUnread>;
    message: DataLoader<string, Message | null>;
    /** The viewer's rights, per channel, asked once per request. */
    channelAccess: DataLoader<string, ChannelAccess>;
    reactionGroups: DataLoader<string, ReactionGroup[]>;
    thread: DataLoader<string, Thread | null>;
    /** The thread started from a message, by the message's id. */
    threadOfMessage: DataLoader<string, Thread | null>;
  };
}

/**
 * The context of one request or one live event. Its entity manager and DataLoaders are
 * made on first use: a live subscription builds a context per event
 * (platform/subgraph/subscriptions.ts), and a new message's fields mostly need none of them.
 */
export function createChatContext(base: BaseSubgraphContext, services: ChatServices): ChatContext {
  const { relay: _relay, events: _events, access, ...rest } = services;
  let loaders: ChatContext['loaders'] | undefined;
  const makeLoaders = (): ChatContext['loaders'] => ({
    attachmentsOf: new DataLoader(async (ids) => {
      const rows = await base.em.find(Attachment, { messageId: { $in: [...ids] } }, { orderBy: { id: 'asc' } });
      return ids.map((id) => rows.filter((a) => a.messageId === id));
    }),
    unread: new DataLoader((ids) => services.readStates.unread(base.em, base.viewer.userId ?? '00000000-0000-0000-0000-000000000000', ids)),
    message: new DataLoader(async (ids) => {
      const rows = await base.em.find(Message, { id: { $in: [...ids] } });
      const map = new Map(rows.map((m) => [m.id, m]));
      return ids.map((id) => map.get(id) ?? null);
    }),
    channelAccess: access.loader(base.viewer.userId),
    reactionGroups: new DataLoader((ids) => services.reactions.groups(base.em, ids, base.viewer.userId)),
    thread: new DataLoader(async (ids) => {
      const rows = await base.em.find(Thread, { id: { $in: [...ids] } });
      return ids.map((id) => rows.find((t) => t.id === id) ?? null);
    }),
    threadOfMessage: new DataLoader(async (ids) => {
      const rows = await base.em.find(Thread, { parentMessageId: { $in: [...ids] } });
      return ids.map((id) => rows.find((t) => t.parentMessageId === id) ?? null);
    }),
  });
  return {
    ...rest,
    viewer: base.viewer,
    ...(base.live ? { live: base.live } : {}),
    // Not copied: reading `base.em` forks it.
    get em() {
      return base.em;
    },
    get loaders() {
      return (loaders ??= makeLoaders());
    },
  };
}
