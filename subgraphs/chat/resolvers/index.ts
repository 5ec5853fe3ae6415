import { DateTimeScalar } from '../../../platform/graphql/scalars.ts';
import { isUuid } from '../../../platform/ids.ts';
import type { ChatContext } from '../context.ts';
import type { Message } from '../entities/index.ts';
import type { Resolvers } from '../generated/resolvers.ts';

/** A message, if the viewer may read its channel. */
async function readable(message: Message | null, ctx: ChatContext): Promise<Message | null> {
  if (!message) return null;
  const rights = await ctx.loaders.channelAccess.load(message.channelId);
  return rights.canView ? message : null;
}

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    message: async (_, { id }, ctx) => (isUuid(id) ? readable(await ctx.loaders.message.load(id), ctx) : null),
  },
  Mutation: {
    sendMessage: (_, { input }, ctx) =>
      ctx.messages.send(ctx.em, ctx.viewer.userId, (channelId) => ctx.loaders.channelAccess.load(channelId), input),
  },
  Channel: {
    __resolveReference: (ref) => ({ id: ref.id }),
    messages: async (channel, args, ctx) =>
      ctx.messages.page(ctx.em, channel.id, await ctx.loaders.channelAccess.load(channel.id), args),
  },
  Message: {
    __resolveReference: async (ref, ctx) => readable(await ctx.loaders.message.load(ref.id), ctx),
    channel: (m) => ({ id: m.channelId }),
    author: (m) => ({ id: m.authorId }),
  },
};
