/** The media subgraph: tracks and their uploads (transcoding, playback and listeners to come). */
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { SubgraphModule } from '../../platform/subgraph/module.ts';
import { createMediaContext, type MediaContext, type MediaServices } from './context.ts';
import { Track } from './entities/index.ts';
import { migrations } from './migrations/index.ts';
import { resolvers } from './resolvers/index.ts';
import { TrackService } from './services/tracks.ts';

export const entities = [Track] as const;
export { migrations };

export function mediaSubgraph(): SubgraphModule<MediaContext, MediaServices> {
  return {
    name: 'media',
    typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
    resolvers,
    entities,
    migrations,
    createServices: async (_db, platform) => {
      await platform.store.ensureBucket();
      return { tracks: new TrackService(platform.store) };
    },
    createContext: (base, services) => createMediaContext(base, services),
  };
}
