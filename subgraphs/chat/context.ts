import DataLoader from 'dataloader';
import type { BaseSubgraphContext } from '../../platform/subgraph/module.ts';
import { Message } from './entities/index.ts';
import type { ChannelAccess, ChannelAccessClient } from './services/channel-access.ts';
import type { MessageChangeService } from './services/message-changes.ts';
import type { MessageService } from './services/messages.ts';
import type { ReactionGroup, ReactionService } from './services/reactions.ts';

export interface ChatServices {
  messages: MessageService;
  changes: MessageChangeService;
  reactions: ReactionService;
  access: ChannelAccessClient;
}

export interface ChatContext extends BaseSubgraphContext {
  messages: MessageService;
  changes: MessageChangeService;
  reactions: ReactionService;
  loaders: {
    message: DataLoader<string, Message | null>;
    /** The viewer's rights, per channel, asked once per request. */
    channelAccess: DataLoader<string, ChannelAccess>;
    reactionGroups: DataLoader<string, ReactionGroup[]>;
  };
}

export function createChatContext(base: BaseSubgraphContext, services: ChatServices): ChatContext {
  return {
    ...base,
    messages: services.messages,
    changes: services.changes,
    reactions: services.reactions,
    loaders: {
      message: new DataLoader(async (ids) => {
        const rows = await base.em.find(Message, { id: { $in: [...ids] } });
        const map = new Map(rows.map((m) => [m.id, m]));
        return ids.map((id) => map.get(id) ?? null);
      }),
      channelAccess: services.access.loader(base.viewer.userId),
      reactionGroups: new DataLoader((ids) => services.reactions.groups(base.em, ids, base.viewer.userId)),
    },
  };
}
