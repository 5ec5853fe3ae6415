/** The discovery subgraph: search (trending and recommendations to come), fed by events. */
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { SubgraphModule } from '../../platform/subgraph/module.ts';
import type { EventTopics } from '../../platform/events/bus.ts';
import { createDiscoveryContext, type DiscoveryContext, type DiscoveryServices } from './context.ts';
import { SearchDocument } from './entities/index.ts';
import { migrations } from './migrations/index.ts';
import { resolvers } from './resolvers/index.ts';
import { SearchService } from './services/search.ts';

export const entities = [SearchDocument] as const;
export { migrations };

/** Consumer group name of this subgraph on the event bus. */
const GROUP = 'discovery';

export function discoverySubgraph(): SubgraphModule<DiscoveryContext, DiscoveryServices> {
  return {
    name: 'discovery',
    typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
    resolvers,
    entities,
    migrations,
    createServices: () => ({ search: new SearchService() }),
    createContext: (base, services) => createDiscoveryContext(base, services),
    async startBackground({ db, platform, services }) {
      const stops = await Promise.all([
        platform.bus.consume<EventTopics['community.user.created']>('community.user.created', GROUP, (e) =>
          services.search.onUserCreated(db.fork(), e),
        ),
        platform.bus.consume<EventTopics['media.track.published']>('media.track.published', GROUP, (e) =>
          services.search.onTrackPublished(db.fork(), e),
        ),
      ]);
      return async () => {
        await Promise.all(stops.map((stop) => stop()));
      };
    },
  };
}
