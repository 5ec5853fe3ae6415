/** The media subgraph: tracks, direct uploads, transcoding results, playback and live listener counts. */
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { Redis } from 'ioredis';
import { OutboxEntry, OutboxRelay } from '../../platform/events/outbox.ts';
import type { SubgraphModule } from '../../platform/subgraph/module.ts';
import { createMediaContext, type MediaContext, type MediaServices } from './context.ts';
import { EffectRender, PlaybackSession, Playlist, PlaylistTrack, Rendition, Track } from './entities/index.ts';
import { migrations } from './migrations/index.ts';
import { resolvers } from './resolvers/index.ts';
import { MemoryListenerCounter, RedisListenerCounter, type ListenerCounter } from './services/listeners.ts';
import { PlaybackService } from './services/playback.ts';
import { PlaylistService } from './services/playlists.ts';
import { STREAM_ROUTE, StreamService } from './services/streaming.ts';
import { StreamTokens } from './services/stream-tokens.ts';
import { TrackService } from './services/tracks.ts';
import { TranscodeResults } from './services/transcode-results.ts';
import { TrackEvents } from './services/track-events.ts';
import { ListenerCountFeed } from './services/listener-counts.ts';
import { TrackFeeds } from './services/track-feeds.ts';
import { EffectRenderService } from './services/effect-renders.ts';

export const entities = [Track, Rendition, PlaybackSession, Playlist, PlaylistTrack, EffectRender, OutboxEntry] as const;
export { migrations };

export function mediaSubgraph(): SubgraphModule<MediaContext, MediaServices & { listeners: ListenerCounter; counts: ListenerCountFeed; relay: OutboxRelay }> {
  return {
    name: 'media',
    typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
    resolvers,
    entities,
    migrations,
    createServices: async (db, platform) => {
      await platform.store.ensureBucket();
      const { config } = platform;
      const listeners: ListenerCounter = config.redisUrl
        ? new RedisListenerCounter(new Redis(config.redisUrl), config.redisPrefix, config.listenerPresenceSeconds)
        : new MemoryListenerCounter(config.listenerPresenceSeconds);
      const relay = new OutboxRelay({ schema: 'media', fork: () => db.fork(), bus: platform.bus, pubsub: platform.pubsub, logger: platform.logger });
      const published = () => relay.kick();
      const events = new TrackEvents(config.redisPrefix);
      const tracks = new TrackService(platform.store, platform.jobs, events, published);
      const counts = new ListenerCountFeed({ counter: listeners, tracks: (ids) => db.fork().find(Track, { id: { $in: ids } }), logger: platform.logger });
      return {
        relay,
        tracks,
        listeners,
        counts,
        feeds: new TrackFeeds({ pubsub: platform.pubsub, tracks, counts, events }),
        store: platform.store,
        playback: new PlaybackService(tracks, listeners, config.playbackHeartbeatSeconds),
        playlists: new PlaylistService(tracks),
        streams: new StreamService(platform.store, new StreamTokens(platform.gatewaySecret), platform.publicUrl),
        results: new TranscodeResults(published, events),
        effects: new EffectRenderService(tracks, platform.jobs, platform.store),
      };
    },
    createContext: (base, services) => createMediaContext(base, services),
    routes: ({ db, services }) => ({ [`${STREAM_ROUTE}*`]: services.streams.handler(() => db.fork()) }),
    async startBackground({ services }) {
      services.relay.start();
      return async () => {
        await services.counts.close();
        await services.relay.stop();
        await services.listeners.close();
      };
    },
  };
}
