import { DateTimeScalar } from '../../../platform/graphql/scalars.ts';
import type { Resolvers } from '../generated/resolvers.ts';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Mutation: {
    follow: async (_, { userId }, ctx) => {
      await ctx.follows.follow(ctx.em, ctx.viewer.userId, userId);
      return { id: userId };
    },
    unfollow: async (_, { userId }, ctx) => {
      await ctx.follows.unfollow(ctx.em, ctx.viewer.userId, userId);
      return { id: userId };
    },
  },
  User: {
    __resolveReference: (ref) => ({ id: ref.id }),
    followers: async (user, args, ctx) => {
      const c = await ctx.follows.page(ctx.em, user.id, 'followers', args);
      return { ...c, edges: c.edges.map((e) => ({ cursor: e.cursor, followedAt: e.node.createdAt, node: { id: e.node.followerId } })) };
    },
    following: async (user, args, ctx) => {
      const c = await ctx.follows.page(ctx.em, user.id, 'following', args);
      return { ...c, edges: c.edges.map((e) => ({ cursor: e.cursor, followedAt: e.node.createdAt, node: { id: e.node.followeeId } })) };
    },
    followerCount: (user, _, ctx) => ctx.loaders.followerCount.load(user.id),
    followingCount: (user, _, ctx) => ctx.loaders.followingCount.load(user.id),
    viewerFollows: (user, _, ctx) => ctx.loaders.viewerFollows.load(user.id),
  },
};
