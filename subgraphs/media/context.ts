import DataLoader from 'dataloader';
import type { BaseSubgraphContext } from '../../platform/subgraph/module.ts';
import { Rendition, Track, type EffectRender } from './entities/index.ts';
import type { PlaybackService } from './services/playback.ts';
import type { PlaylistService } from './services/playlists.ts';
import type { StreamService } from './services/streaming.ts';
import type { TrackService } from './services/tracks.ts';
import type { TranscodeResults } from './services/transcode-results.ts';
import type { ObjectStore } from '../../platform/storage/object-store.ts';
import type { TrackFeeds } from './services/track-feeds.ts';
import type { EffectRenderService } from './services/effect-renders.ts';

export interface MediaServices {
  tracks: TrackService;
  playback: PlaybackService;
  playlists: PlaylistService;
  streams: StreamService;
  results: TranscodeResults;
  store: ObjectStore;
  /** Live subscription sources. */
  feeds: TrackFeeds;
  effects: EffectRenderService;
}

export interface MediaContext extends BaseSubgraphContext, MediaServices {
  loaders: {
    /** Tracks the viewer may see, by id (without a secret token). */
    track: DataLoader<string, Track | null>;
    renditions: DataLoader<string, Rendition[]>;
    /** The stored audio features of tracks (a lazy column), by id. */
    features: DataLoader<string, Record<string, unknown> | null>;
    /** Effect renders of tracks, by track id, newest first. */
    effectRenders: DataLoader<string, EffectRender[]>;
  };
}

export function createMediaContext(base: BaseSubgraphContext, services: MediaServices): MediaContext {
  return {
    ...base,
    ...services,
    loaders: {
      track: new DataLoader(async (ids) => {
        const rows = await base.em.find(Track, { id: { $in: [...ids] } });
        const map = new Map(rows.map((t) => [t.id, t]));
        return ids.map((id) => {
          const t = map.get(id);
          return t && services.tracks.canSee(t, base.viewer.userId) ? t : null;
        });
      }),
      renditions: new DataLoader(async (ids) => {
        const rows = await base.em.find(Rendition, { track: { $in: [...ids] } }, { orderBy: { key: 'asc' } });
        return ids.map((id) => rows.filter((r) => r.track.id === id));
      }),
      features: new DataLoader(async (ids) => {
        const rows = await base.em.find(Track, { id: { $in: [...ids] } }, { populate: ['features'] });
        const map = new Map(rows.map((t) => [t.id, t.features ?? null]));
        return ids.map((id) => map.get(id) ?? null);
      }),
      effectRenders: new DataLoader(async (ids) => {
        const rows = await services.effects.ofTracks(base.em, ids);
        return ids.map((id) => rows.filter((r) => r.track.id === id));
      }),
    },
  };
}
