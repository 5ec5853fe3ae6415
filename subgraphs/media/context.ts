import DataLoader from 'dataloader';
import type { BaseSubgraphContext } from '../../platform/subgraph/module.ts';
import { Track } from './entities/index.ts';
import type { TrackService } from './services/tracks.ts';

export interface MediaServices {
  tracks: TrackService;
}

export interface MediaContext extends BaseSubgraphContext, MediaServices {
  loaders: { track: DataLoader<string, Track | null> };
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
    },
  };
}
