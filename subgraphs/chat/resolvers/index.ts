import { DateTimeScalar } from '../../../platform/graphql/scalars.ts';
import { isUuid } from '../../../platform/ids.ts';
import { notFound, unauthenticated } from '../../../platform/errors.ts';
import type { ChatContext } from '../context.ts';
import type { Thread } from '../entities/index.ts';
import { Message } from '../entities/index.ts';
import type { Resolvers } from '../generated/resolvers.ts';
import type { ChannelAccess } from '../services/channel-access.ts';
import type { ChannelUnread } from '../services/read-states.ts';
import { eventOf, type LiveEnd } from '../../../platform/events/live-queue.ts';
import { fromPayload, type MessageDeletedPayload, type MessageEventPayload, type ReactionChangedPayload } from '../services/chat-events.ts';
import type { TypingPayload } from '../services/typing.ts';

/** A message, if the viewer may read its channel. */
async function readable(message: Message | null, ctx: ChatContext): Promise<Message | null> {
  if (!message) return null;
  const rights = await ctx.loaders.channelAccess.load(message.channelId);
  return rights.canView ? message : null;
}

/** The message and the viewer's rights in its channel, for changing it; NOT_FOUND when unreadable. */
async function target(messageId: string, ctx: ChatContext): Promise<{ userId: string; message: Message; access: ChannelAccess }> {
  const userId = ctx.viewer.userId;
  if (!userId) throw unauthenticated();
  const message = isUuid(messageId) ? await ctx.em.findOne(Message, { id: messageId }) : null;
  const access = message ? await ctx.loaders.channelAccess.load(message.channelId) : null;
  if (!message || !access?.canView) throw notFound('Message', messageId);
  return { userId, message, access };
}

/** The viewer's unread counts in a channel they may read; null otherwise. */
async function unreadOf(channelId: string, ctx: ChatContext): Promise<ChannelUnread | null> {
  if (!ctx.viewer.userId) return null;
  const rights = await ctx.loaders.channelAccess.load(channelId);
  return rights.canView ? ctx.loaders.unread.load(channelId) : null;
}

const VISIBLE_CHANNELS = /* GraphQL */ `query VisibleChannels($id: ID!) { community(id: $id) { channels { id type } } }`;

/** Sums over the text channels of a community the viewer can see (the community subgraph says which). */
async function communityUnread(communityId: string, ctx: ChatContext): Promise<{ unreadCount: number; mentionCount: number }> {
  const none = { unreadCount: 0, mentionCount: 0 };
  if (!ctx.viewer.userId || !isUuid(communityId)) return none;
  const data = await ctx.internal.query<{ community: { channels: { id: string; type: string }[] } | null }>(
    'community', VISIBLE_CHANNELS, { id: communityId }, ctx.viewer.userId,
  );
  const ids = (data.community?.channels ?? []).filter((c) => c.type === 'TEXT' || c.type === 'ANNOUNCEMENT').map((c) => c.id);
  const counts = await ctx.loaders.unread.loadMany(ids);
  return counts.reduce<{ unreadCount: number; mentionCount: number }>(
    (sum, c) => (c instanceof Error ? sum : { unreadCount: sum.unreadCount + c.unreadCount, mentionCount: sum.mentionCount + c.mentionCount }),
    none,
  );
}

const NO_RIGHTS: ChannelAccess = { canView: false, canSend: false, permissions: [], communityId: null, slowModeSeconds: 0 };

async function threadTarget(threadId: string, ctx: ChatContext): Promise<{ thread: Thread; access: ChannelAccess }> {
  const thread = await ctx.threads.find(ctx.em, threadId);
  const access = thread ? await ctx.loaders.channelAccess.load(thread.channelId) : NO_RIGHTS;
  if (!thread || !access.canView) throw notFound('Thread', threadId);
  return { thread, access };
}

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    searchMessages: (_, args, ctx) => ctx.search.search(ctx.em, ctx.viewer.userId, args, args),
    thread: async (_, { id }, ctx) => {
      const thread = await ctx.threads.find(ctx.em, id);
      return thread && (await ctx.loaders.channelAccess.load(thread.channelId)).canView ? thread : null;
    },
    message: async (_, { id }, ctx) => (isUuid(id) ? readable(await ctx.loaders.message.load(id), ctx) : null),
  },
  Mutation: {
    sendMessage: (_, { input }, ctx) =>
      ctx.messages.send(ctx.em, ctx.viewer.userId, (channelId) => ctx.loaders.channelAccess.load(channelId), input),
    requestAttachmentUpload: async (_, input, ctx) => {
      const access = isUuid(input.channelId) ? await ctx.loaders.channelAccess.load(input.channelId) : NO_RIGHTS;
      const { attachment, uploadUrl, expiresAt } = await ctx.attachments.requestUpload(ctx.em, ctx.viewer.userId, access, input);
      return { attachmentId: attachment.id, uploadUrl, expiresAt };
    },
    editMessage: async (_, { messageId, body }, ctx) => {
      const t = await target(messageId, ctx);
      return ctx.changes.edit(ctx.em, t.userId, t.message, t.access, body);
    },
    deleteMessage: async (_, { messageId }, ctx) => {
      const t = await target(messageId, ctx);
      await ctx.changes.delete(ctx.em, t.userId, t.message, t.access);
      return true;
    },
    pinMessage: async (_, { messageId }, ctx) => {
      const t = await target(messageId, ctx);
      return ctx.changes.pin(ctx.em, t.userId, t.message, t.access, true);
    },
    unpinMessage: async (_, { messageId }, ctx) => {
      const t = await target(messageId, ctx);
      return ctx.changes.pin(ctx.em, t.userId, t.message, t.access, false);
    },
    startTyping: async (_, { channelId, threadId }, ctx) => {
      if (!ctx.viewer.userId) throw unauthenticated();
      const access = isUuid(channelId) ? await ctx.loaders.channelAccess.load(channelId) : NO_RIGHTS;
      if (threadId != null) {
        const thread = await ctx.threads.find(ctx.em, threadId);
        if (!thread || thread.channelId !== channelId) throw notFound('Thread', threadId);
      }
      return ctx.typing.start(ctx.viewer.userId, channelId, threadId ?? null, access);
    },
    startThread: async (_, { input }, ctx) =>
      ctx.threads.start(ctx.em, ctx.viewer.userId, isUuid(input.channelId) ? await ctx.loaders.channelAccess.load(input.channelId) : NO_RIGHTS, input),
    archiveThread: async (_, { threadId, archived }, ctx) => {
      const t = await threadTarget(threadId, ctx);
      return ctx.threads.archive(ctx.em, ctx.viewer.userId, t.thread, t.access, archived);
    },
    joinThread: async (_, { threadId }, ctx) => {
      const t = await threadTarget(threadId, ctx);
      return ctx.threads.setMembership(ctx.em, ctx.viewer.userId, t.thread, t.access, true);
    },
    leaveThread: async (_, { threadId }, ctx) => {
      const t = await threadTarget(threadId, ctx);
      return ctx.threads.setMembership(ctx.em, ctx.viewer.userId, t.thread, t.access, false);
    },
    markChannelRead: async (_, { channelId, position }, ctx) => {
      if (!ctx.viewer.userId) throw unauthenticated();
      const rights = isUuid(channelId) ? await ctx.loaders.channelAccess.load(channelId) : null;
      if (!rights?.canView) throw notFound('Channel', channelId);
      await ctx.readStates.markRead(ctx.em, ctx.viewer.userId, channelId, position ?? null);
      ctx.loaders.unread.clear(channelId);
      return { id: channelId };
    },
    addReaction: async (_, { messageId, emoji }, ctx) => {
      const t = await target(messageId, ctx);
      await ctx.reactions.add(ctx.em, t.userId, t.message, t.access, emoji);
      return t.message;
    },
    removeReaction: async (_, { messageId, emoji }, ctx) => {
      const t = await target(messageId, ctx);
      await ctx.reactions.remove(ctx.em, t.userId, t.message, emoji);
      return t.message;
    },
  },
  // Each event is resolved with a fresh context (platform/subgraph/subscriptions.ts); a
  // `LiveEnd` (the viewer lost access) becomes the subscription's last, failed result.
  // The entity manager is handed over as a getter: `ctx.em` forks one on its first read
  // (module.ts), an open subscription keeps its context, and guards and feeds never read.
  Subscription: {
    messageAdded: {
      subscribe: (_, args, ctx) => ctx.feeds.messageAdded(() => ctx.em, ctx.viewer.userId, args, ctx.live),
      resolve: (event: MessageEventPayload | LiveEnd) => fromPayload(eventOf(event)),
    },
    messageUpdated: {
      subscribe: (_, args, ctx) => ctx.feeds.messageUpdated(() => ctx.em, ctx.viewer.userId, args, ctx.live),
      resolve: (event: MessageEventPayload | LiveEnd) => fromPayload(eventOf(event)),
    },
    messageDeleted: {
      subscribe: (_, args, ctx) => ctx.feeds.messageDeleted(() => ctx.em, ctx.viewer.userId, args, ctx.live),
      resolve: (event: MessageDeletedPayload | LiveEnd) => eventOf(event),
    },
    reactionChanged: {
      subscribe: (_, args, ctx) => ctx.feeds.reactionChanged(() => ctx.em, ctx.viewer.userId, args, ctx.live),
      resolve: (event: ReactionChangedPayload | LiveEnd) => eventOf(event),
    },
    typing: {
      subscribe: (_, args, ctx) => ctx.feeds.typing(() => ctx.em, ctx.viewer.userId, args, ctx.live),
      resolve: (event: TypingPayload | LiveEnd) => eventOf(event),
    },
  },
  ReactionChange: {
    // Same channel as the subscription, so readable whenever the event is.
    message: (change, _, ctx) => ctx.loaders.message.load(change.messageId),
    user: (change) => ({ id: change.userId }),
  },
  TypingEvent: {
    user: (event) => ({ id: event.userId }),
  },
  Channel: {
    __resolveReference: (ref) => ({ id: ref.id }),
    messages: async (channel, args, ctx) =>
      ctx.messages.page(ctx.em, channel.id, await ctx.loaders.channelAccess.load(channel.id), args),
    lastReadPosition: async (channel, _, ctx) => (await unreadOf(channel.id, ctx))?.lastReadPosition ?? 0,
    unreadCount: async (channel, _, ctx) => (await unreadOf(channel.id, ctx))?.unreadCount ?? 0,
    mentionCount: async (channel, _, ctx) => (await unreadOf(channel.id, ctx))?.mentionCount ?? 0,
    threads: async (channel, args, ctx) =>
      ctx.threads.ofChannel(ctx.em, channel.id, await ctx.loaders.channelAccess.load(channel.id), args.includeArchived ?? false, args),
    pinnedMessages: async (channel, _, ctx) => {
      const rights = await ctx.loaders.channelAccess.load(channel.id);
      if (!rights.canView) return [];
      return ctx.em.find(Message, { channelId: channel.id, pinnedAt: { $ne: null } }, { orderBy: { pinnedAt: 'desc' }, limit: 50 });
    },
  },
  Thread: {
    channel: (thread) => ({ id: thread.channelId }),
    parentMessage: (thread, _, ctx) => (thread.parentMessageId ? ctx.loaders.message.load(thread.parentMessageId) : null),
    createdBy: (thread) => ({ id: thread.createdBy }),
    archived: (thread) => thread.archivedAt !== null,
    memberCount: (thread, _, ctx) => ctx.threads.memberCount(ctx.em, thread.id),
    viewerIsMember: (thread, _, ctx) => ctx.threads.isMember(ctx.em, thread.id, ctx.viewer.userId),
    messages: async (thread, args, ctx) => ctx.messages.page(ctx.em, thread.id, await ctx.loaders.channelAccess.load(thread.channelId), args),
  },
  Community: {
    __resolveReference: (ref) => ({ id: ref.id }),
    unreadCount: async (community, _, ctx) => (await communityUnread(community.id, ctx)).unreadCount,
    mentionCount: async (community, _, ctx) => (await communityUnread(community.id, ctx)).mentionCount,
  },
  Message: {
    __resolveReference: async (ref, ctx) => readable(await ctx.loaders.message.load(ref.id), ctx),
    channel: (m) => ({ id: m.channelId }),
    author: (m) => ({ id: m.authorId }),
    // Same channel as the reply, so readable whenever the reply is.
    replyTo: (m, _, ctx) => (m.replyToId ? ctx.loaders.message.load(m.replyToId) : null),
    isReply: (m) => m.replyToId !== null,
    thread: (m, _, ctx) => (m.threadId ? ctx.loaders.thread.load(m.threadId) : null),
    startedThread: (m, _, ctx) => ctx.loaders.threadOfMessage.load(m.id),
    mentions: (m) => m.mentionedUserIds.map((id) => ({ id })),
    pinned: (m) => m.pinnedAt !== null,
    reactions: (m, _, ctx) => ctx.loaders.reactionGroups.load(m.id),
    attachments: (m, _, ctx) => ctx.loaders.attachmentsOf.load(m.id),
  },
  Attachment: {
    url: (a, _, ctx) => ctx.attachments.url(a),
  },
};
