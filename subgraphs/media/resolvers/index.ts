import { DateTimeScalar } from '../../../platform/graphql/scalars.ts';
import { isUuid } from '../../../platform/ids.ts';
import type { Resolvers } from '../generated/resolvers.ts';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    track: (_, { id }, ctx) => (isUuid(id) ? ctx.loaders.track.load(id) : null),
  },
  Mutation: {
    requestTrackUpload: (_, { input }, ctx) =>
      ctx.tracks.requestUpload(ctx.em, ctx.viewer.userId, {
        title: input.title,
        description: input.description ?? null,
        contentType: input.contentType,
        byteSize: input.byteSize,
        visibility: input.visibility ?? 'PUBLIC',
      }),
  },
  User: {
    __resolveReference: (ref) => ({ id: ref.id }),
    tracks: (user, args, ctx) => ctx.tracks.ofOwner(ctx.em, user.id, ctx.viewer.userId, args),
  },
  Track: {
    __resolveReference: (ref, ctx) => ctx.loaders.track.load(ref.id),
    owner: (track) => ({ id: track.ownerId }),
  },
};
