/** The community subgraph: accounts, communities, members, channels and who may do what. */
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { SubgraphModule } from '../../platform/subgraph/module.ts';
import { JWKS_PATH, TokenSigner } from '../../platform/auth/access-tokens.ts';
import { createCommunityContext, type CommunityContext, type CommunityServices } from './context.ts';
import { Channel, Community, Member, Session, User } from './entities/index.ts';
import { migrations } from './migrations/index.ts';
import { resolvers } from './resolvers/index.ts';
import { AccountService } from './services/accounts.ts';
import { CommunityService } from './services/communities.ts';

export const entities = [User, Session, Community, Member, Channel] as const;
export { migrations };


export interface CommunityDeps {
  /** Ed25519 private key (PKCS#8 PEM) that signs access tokens. */
  signingKey: string;
}

export function communitySubgraph(deps: CommunityDeps): SubgraphModule<CommunityContext, CommunityServices & { tokens: TokenSigner }> {
  return {
    name: 'community',
    typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
    resolvers,
    entities,
    migrations,
    async createServices(_db, platform) {
      const tokens = await TokenSigner.fromPem(deps.signingKey, platform.config.accessTokenTtlSeconds);
      return { tokens, accounts: new AccountService(platform.bus, tokens), communities: new CommunityService() };
    },
    createContext: (base, services) => createCommunityContext(base, services),
    routes: ({ services }) => ({
      [JWKS_PATH]: async (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' });
        res.end(JSON.stringify(services.tokens.jwks));
      },
    }),
  };
}
