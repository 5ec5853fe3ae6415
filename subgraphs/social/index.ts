/** The social subgraph: follows (likes, reposts, comments, feed and notifications to come). */
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { SubgraphModule } from '../../platform/subgraph/module.ts';
import { createSocialContext, type SocialContext, type SocialServices } from './context.ts';
import { Follow } from './entities/index.ts';
import { migrations } from './migrations/index.ts';
import { resolvers } from './resolvers/index.ts';
import { FollowService } from './services/follows.ts';

export const entities = [Follow] as const;
export { migrations };

export function socialSubgraph(): SubgraphModule<SocialContext, SocialServices> {
  return {
    name: 'social',
    typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
    resolvers,
    entities,
    migrations,
    createServices: (_db, platform) => ({ follows: new FollowService(platform.internal) }),
    createContext: (base, services) => createSocialContext(base, services),
  };
}
