import DataLoader from 'dataloader';
import type { BaseSubgraphContext } from '../../platform/subgraph/module.ts';
import type { EntityManager } from '../../platform/db/orm.ts';
import { Channel, Community, MemberRole, type User } from './entities/index.ts';
import type { AccountService } from './services/accounts.ts';
import { Authorizer } from './services/authorization.ts';
import type { ChannelService } from './services/channels.ts';
import type { CommunityService } from './services/communities.ts';
import type { InviteService } from './services/invites.ts';
import type { ModerationService } from './services/moderation.ts';
import type { RoleService } from './services/roles.ts';
import type { SessionService } from './services/sessions.ts';

export interface CommunityServices {
  accounts: AccountService;
  sessions: SessionService;
  communities: CommunityService;
  channels: ChannelService;
  roles: RoleService;
  invites: InviteService;
  moderation: ModerationService;
}

export interface CommunityContext extends BaseSubgraphContext, CommunityServices {
  /** Permission checks, memoised for this request. */
  auth: Authorizer;
  loaders: CommunityLoaders;
}

export interface CommunityLoaders {
  user: DataLoader<string, User | null>;
  community: DataLoader<string, Community | null>;
  channel: DataLoader<string, Channel | null>;
  memberCount: DataLoader<string, number>;
  /** Role ids of members, keyed `communityId:userId`. */
  memberRoleIds: DataLoader<string, string[]>;
}

export function createCommunityContext(base: BaseSubgraphContext, services: CommunityServices): CommunityContext {
  return { ...base, ...services, auth: new Authorizer(base.em), loaders: createLoaders(base.em) };
}

function byId<T extends { id: string }>(rows: T[], ids: readonly string[]): (T | null)[] {
  const map = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => map.get(id) ?? null);
}

function createLoaders(em: EntityManager): CommunityLoaders {
  return {
    user: new DataLoader(async (ids) => byId(await usersByIds(em, ids), ids)),
    community: new DataLoader(async (ids) => byId(await em.find(Community, { id: { $in: [...ids] } }), ids)),
    channel: new DataLoader(async (ids) => byId(await em.find(Channel, { id: { $in: [...ids] } }), ids)),
    memberCount: new DataLoader(async (ids) => {
      const rows = await em
        .getConnection()
        .execute<{ community_id: string; n: string }[]>(
          'select community_id, count(*) as n from community.members where community_id in (?) group by community_id',
          [[...ids]],
        );
      const counts = new Map(rows.map((r) => [r.community_id, Number(r.n)]));
      return ids.map((id) => counts.get(id) ?? 0);
    }),
    memberRoleIds: new DataLoader(async (keys) => {
      const pairs = keys.map((k) => k.split(':') as [string, string]);
      const rows = await em.find(MemberRole, { $or: groupByCommunity(pairs) });
      const map = new Map<string, string[]>();
      for (const r of rows) {
        const key = `${r.community.id}:${r.user.id}`;
        map.set(key, [...(map.get(key) ?? []), r.role.id]);
      }
      return keys.map((k) => map.get(k) ?? []);
    }),
  };
}

/**
 * Users by id, in one SQL statement, as plain objects of the entity's shape (every column
 * but the password hash), detached from the entity manager: what every read of a user
 * needs. A user is looked up for each author of a channel page and each batch of live
 * events' authors (the gateway's entity fetches), and `em.find` cost about half a
 * millisecond of CPU per call here (query building, hydration, the identity map): more
 * than a third of such a request's CPU. Nothing writes through these objects.
 */
async function usersByIds(em: EntityManager, ids: readonly string[]): Promise<User[]> {
  const rows = await em.getConnection().execute<{ id: string; handle: string; handle_key: string; display_name: string; bio: string | null; avatar_key: string | null; created_at: string }[]>(
    'select id, handle, handle_key, display_name, bio, avatar_key, created_at from community.users where id in (?)',
    [[...ids]],
  );
  // The driver gives timestamps as PostgreSQL prints them (MikroORM converts its own reads).
  return rows.map((r) => {
    const user: Omit<User, 'passwordHash'> = { id: r.id, handle: r.handle, handleKey: r.handle_key, displayName: r.display_name, bio: r.bio, avatarKey: r.avatar_key, createdAt: new Date(r.created_at) };
    return user as User;
  });
}

/** One `(community = c and user in (...))` clause per community, so a page costs one query. */
function groupByCommunity(pairs: [string, string][]): { community: string; user: { $in: string[] } }[] {
  const by = new Map<string, string[]>();
  for (const [c, u] of pairs) by.set(c, [...(by.get(c) ?? []), u]);
  return [...by.entries()].map(([community, users]) => ({ community, user: { $in: users } }));
}
