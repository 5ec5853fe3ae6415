import { DateTimeScalar } from '../../../platform/graphql/scalars.ts';
import { isUuid } from '../../../platform/ids.ts';
import type { Resolvers } from '../generated/resolvers.ts';
import { STREAM_TTL_SECONDS } from '../services/streaming.ts';
import { eventOf, type LiveEnd } from '../../../platform/events/live-queue.ts';
import type { ListenerCountEvent } from '../services/listener-counts.ts';
import type { TrackProcessingPayload } from '../services/track-events.ts';
import { audioFeaturesOf } from '../services/audio-features.ts';
import { rendersVisibleTo } from '../services/effect-renders.ts';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    playlist: (_, { id, secretToken }, ctx) => ctx.playlists.find(ctx.em, id, ctx.viewer.userId, secretToken ?? null),
    track: (_, { id, secretToken }, ctx) =>
      secretToken ? ctx.tracks.find(ctx.em, id, ctx.viewer.userId, secretToken) : isUuid(id) ? ctx.loaders.track.load(id) : null,
  },
  Mutation: {
    requestTrackUpload: (_, { input }, ctx) =>
      ctx.tracks.requestUpload(ctx.em, ctx.viewer.userId, { ...input, visibility: input.visibility ?? 'PUBLIC' }),
    completeTrackUpload: (_, { trackId, sha256 }, ctx) => ctx.tracks.completeUpload(ctx.em, ctx.viewer.userId, trackId, sha256),
    updateTrack: (_, { input }, ctx) => ctx.tracks.update(ctx.em, ctx.viewer.userId, input),
    deleteTrack: async (_, { trackId }, ctx) => {
      await ctx.tracks.delete(ctx.em, ctx.viewer.userId, trackId);
      return true;
    },
    createPlaylist: (_, { input }, ctx) => ctx.playlists.create(ctx.em, ctx.viewer.userId, { ...input, visibility: input.visibility ?? 'PUBLIC' }),
    updatePlaylist: (_, { input }, ctx) => ctx.playlists.update(ctx.em, ctx.viewer.userId, input),
    deletePlaylist: (_, { playlistId }, ctx) => ctx.playlists.delete(ctx.em, ctx.viewer.userId, playlistId),
    addPlaylistTracks: (_, { playlistId, trackIds, position }, ctx) => ctx.playlists.add(ctx.em, ctx.viewer.userId, playlistId, trackIds, position ?? null),
    removePlaylistTrack: (_, { playlistId, trackId }, ctx) => ctx.playlists.remove(ctx.em, ctx.viewer.userId, playlistId, trackId),
    movePlaylistTrack: (_, { playlistId, trackId, position }, ctx) => ctx.playlists.move(ctx.em, ctx.viewer.userId, playlistId, trackId, position),
    startPlayback: async (_, { trackId, secretToken }, ctx) => {
      const session = await ctx.playback.start(ctx.em, ctx.viewer.userId, trackId, secretToken ?? null);
      return { id: session.id, heartbeatIntervalSeconds: ctx.playback.heartbeatIntervalSeconds };
    },
    playbackHeartbeat: (_, { sessionId, positionSeconds }, ctx) => ctx.playback.heartbeat(ctx.em, ctx.viewer.userId, sessionId, positionSeconds),
    stopPlayback: (_, { sessionId }, ctx) => ctx.playback.stop(ctx.em, ctx.viewer.userId, sessionId),
    renderTrackEffect: (_, { trackId, effect }, ctx) => ctx.effects.request(ctx.em, ctx.viewer.userId, trackId, effect),
    finishEffectRender: (_, { renderId, manifest }, ctx) => ctx.effects.finish(ctx.em, renderId, manifest),
    failEffectRender: (_, { renderId, reason }, ctx) => ctx.effects.fail(ctx.em, renderId, reason),
    finishTranscode: (_, { trackId, manifest }, ctx) => ctx.results.finish(ctx.em, trackId, manifest),
    failTranscode: (_, { trackId, reason }, ctx) => ctx.results.fail(ctx.em, trackId, reason),
    reportTranscodeProgress: (_, { trackId, progress }, ctx) => ctx.results.progress(ctx.em, trackId, progress),
  },
  // Each event is resolved with a fresh context (platform/subgraph/subscriptions.ts); a
  // `LiveEnd` (the viewer may no longer see the track) becomes the last, failed result.
  Subscription: {
    listenerCount: {
      subscribe: (_, { trackId, secretToken }, ctx) => ctx.feeds.listenerCount(ctx.em, ctx.viewer.userId, trackId, secretToken ?? null),
      resolve: (event: ListenerCountEvent | LiveEnd) => eventOf(event),
    },
    trackProcessing: {
      subscribe: (_, { trackId }, ctx) => ctx.feeds.trackProcessing(ctx.em, ctx.viewer.userId, trackId),
      resolve: (event: TrackProcessingPayload | LiveEnd) => eventOf(event),
    },
  },
  TrackProcessingEvent: {
    track: (event, _, ctx) => ctx.loaders.track.load(event.trackId),
  },
  EffectRender: {
    url: (render, _, ctx) => ctx.effects.url(render, STREAM_TTL_SECONDS),
  },
  User: {
    __resolveReference: (ref) => ({ id: ref.id }),
    tracks: (user, args, ctx) => ctx.tracks.ofOwner(ctx.em, user.id, ctx.viewer.userId, args),
    playlists: (user, args, ctx) => ctx.playlists.ofOwner(ctx.em, user.id, ctx.viewer.userId, args),
  },
  Playlist: {
    __resolveReference: (ref, ctx) => ctx.playlists.find(ctx.em, ref.id, ctx.viewer.userId),
    owner: (playlist) => ({ id: playlist.ownerId }),
    secretToken: (playlist, _, ctx) => (playlist.ownerId === ctx.viewer.userId && playlist.visibility === 'UNLISTED' ? playlist.secretToken : null),
    tracks: (playlist, args, ctx) => ctx.playlists.tracks(ctx.em, playlist, ctx.viewer.userId, args),
    trackCount: (playlist, _, ctx) => ctx.playlists.count(ctx.em, playlist.id),
  },
  Track: {
    __resolveReference: (ref, ctx) => ctx.loaders.track.load(ref.id),
    owner: (track) => ({ id: track.ownerId }),
    secretToken: (track, _, ctx) => (track.ownerId === ctx.viewer.userId && track.visibility === 'UNLISTED' ? track.secretToken : null),
    loudness: (track) => track.loudness ?? null,
    waveform: async (track, _, ctx) => (await ctx.em.populate(track, ['waveform'])).waveform ?? null,
    audioFeatures: async (track, _, ctx) => audioFeaturesOf(await ctx.loaders.features.load(track.id)),
    artworkUrl: (track, _, ctx) => (track.artworkKey ? ctx.store.presignGet(track.artworkKey, STREAM_TTL_SECONDS) : null),
    renditions: (track, _, ctx) => ctx.loaders.renditions.load(track.id),
    stream: (track, _, ctx) => ctx.streams.urls(ctx.em, track),
    effectRenders: (track, _, ctx) => (rendersVisibleTo(track, ctx.viewer.userId) ? ctx.loaders.effectRenders.load(track.id) : []),
    listenerCount: (track, _, ctx) => ctx.playback.count(track.id),
  },
};
