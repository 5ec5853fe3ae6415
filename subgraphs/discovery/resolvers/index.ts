import type { Resolvers } from '../generated/resolvers.ts';

const TYPENAME = { USER: 'User', TRACK: 'Track' } as const;

export const resolvers: Resolvers = {
  Query: {
    search: async (_, { query, kinds, first, after }, ctx) => {
      const c = await ctx.search.search(ctx.em, query, kinds ?? undefined, { first: first ?? null, after: after ?? null });
      return {
        pageInfo: c.pageInfo,
        edges: c.edges.map((e) => ({ cursor: e.cursor, score: e.node.score, node: { __typename: TYPENAME[e.node.kind], id: e.node.id } })),
      };
    },
  },
  SearchResult: {
    __resolveType: (node) => ('__typename' in node && node.__typename === 'Track' ? 'Track' : 'User'),
  },
};
