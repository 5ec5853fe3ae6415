/** The community subgraph: accounts, communities, members, roles, channels and who may do what. */
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { SubgraphModule } from '../../platform/subgraph/module.ts';
import { JWKS_PATH, TokenSigner } from '../../platform/auth/access-tokens.ts';
import { OutboxEntry, OutboxRelay } from '../../platform/events/outbox.ts';
import { createCommunityContext, type CommunityContext, type CommunityServices } from './context.ts';
import { AuditEntry, Ban, Channel, ChannelOverwrite, Community, Invite, Member, MemberRole, RefreshToken, Role, Session, User } from './entities/index.ts';
import { migrations } from './migrations/index.ts';
import { resolvers } from './resolvers/index.ts';
import { AccountService } from './services/accounts.ts';
import { ChangeFeed } from './services/changes.ts';
import { ChannelService } from './services/channels.ts';
import { CommunityService } from './services/communities.ts';
import { InviteService } from './services/invites.ts';
import { ModerationService } from './services/moderation.ts';
import { RoleService } from './services/roles.ts';
import { SessionService } from './services/sessions.ts';

export const entities = [User, Session, RefreshToken, Community, Member, Role, MemberRole, Channel, ChannelOverwrite, Invite, Ban, AuditEntry, OutboxEntry] as const;
export { migrations };

export interface CommunityDeps {
  /** Ed25519 private key (PKCS#8 PEM) that signs access tokens. */
  signingKey: string;
}

export function communitySubgraph(deps: CommunityDeps): SubgraphModule<CommunityContext, CommunityServices & { tokens: TokenSigner; relay: OutboxRelay }> {
  return {
    name: 'community',
    typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
    resolvers,
    entities,
    migrations,
    async createServices(db, platform) {
      const tokens = await TokenSigner.fromPem(deps.signingKey, platform.config.accessTokenTtlSeconds);
      const relay = new OutboxRelay({ schema: 'community', fork: () => db.fork(), bus: platform.bus, pubsub: platform.pubsub, logger: platform.logger });
      const changes = new ChangeFeed(() => relay.kick(), platform.config.redisPrefix);
      const sessions = new SessionService(tokens);
      return {
        tokens,
        relay,
        sessions,
        accounts: new AccountService({ changes, sessions, limiter: platform.rateLimiter, store: platform.store, limits: platform.config.authLimits }),
        communities: new CommunityService(changes),
        channels: new ChannelService(changes),
        roles: new RoleService(changes),
        invites: new InviteService(changes),
        moderation: new ModerationService(changes),
      };
    },
    createContext: (base, services) => createCommunityContext(base, services),
    async startBackground({ services }) {
      services.relay.start();
      return () => services.relay.stop();
    },
    routes: ({ services }) => ({
      [JWKS_PATH]: async (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' });
        res.end(JSON.stringify(services.tokens.jwks));
      },
    }),
  };
}
