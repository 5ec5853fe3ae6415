import { DateTimeScalar } from '../../../platform/graphql/scalars.ts';
import type { Resolvers } from '../generated/resolvers.ts';

/** Thin resolvers: check input shape, call a service, map the result. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    me: (_, __, ctx) => (ctx.viewer.userId ? ctx.loaders.user.load(ctx.viewer.userId) : null),
    user: (_, { id }, ctx) => ctx.accounts.findUser(ctx.em, id),
    userByHandle: (_, { handle }, ctx) => ctx.accounts.findUserByHandle(ctx.em, handle),
    community: (_, { id }, ctx) => ctx.communities.findVisible(ctx.em, ctx.viewer.userId, id),
    myCommunities: (_, __, ctx) => ctx.communities.listForUser(ctx.em, ctx.viewer.userId),
    channel: (_, { id }, ctx) => ctx.communities.visibleChannel(ctx.em, ctx.viewer.userId, id),
    channelAccess: (_, { channelId, userId }, ctx) => ctx.communities.channelAccess(ctx.em, channelId, userId),
  },
  Mutation: {
    signUp: (_, { input }, ctx) => ctx.accounts.signUp(ctx.em, input),
    signIn: (_, { input }, ctx) => ctx.accounts.signIn(ctx.em, input),
    createCommunity: (_, { input }, ctx) => ctx.communities.create(ctx.em, ctx.viewer.userId, input),
    createChannel: (_, { input }, ctx) =>
      ctx.communities.createChannel(ctx.em, ctx.viewer.userId, {
        communityId: input.communityId,
        name: input.name,
        type: input.type ?? 'TEXT',
        topic: input.topic ?? null,
      }),
  },
  User: {
    __resolveReference: (ref, ctx) => ctx.loaders.user.load(ref.id),
  },
  Community: {
    __resolveReference: async (ref, ctx) => {
      const community = await ctx.loaders.community.load(ref.id);
      return community;
    },
    owner: (community, _, ctx) => ctx.loaders.user.load(community.owner.id).then((u) => u ?? Promise.reject(new Error(`owner ${community.owner.id} missing`))),
    channels: (community, _, ctx) => ctx.loaders.channelsOfCommunity.load(community.id),
    memberCount: (community, _, ctx) => ctx.loaders.memberCount.load(community.id),
    viewerIsMember: (community, _, ctx) => ctx.communities.isMember(ctx.em, community.id, ctx.viewer.userId),
  },
  Channel: {
    __resolveReference: (ref, ctx) => ctx.communities.visibleChannel(ctx.em, ctx.viewer.userId, ref.id),
    community: (channel, _, ctx) =>
      ctx.loaders.community.load(channel.community.id).then((c) => c ?? Promise.reject(new Error(`community ${channel.community.id} missing`))),
  },
};
