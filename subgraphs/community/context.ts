import DataLoader from 'dataloader';
import type { BaseSubgraphContext } from '../../platform/subgraph/module.ts';
import type { EntityManager } from '../../platform/db/orm.ts';
import { Channel, Community, MemberRole, User } from './entities/index.ts';
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
    user: new DataLoader(async (ids) => byId(await em.find(User, { id: { $in: [...ids] } }), ids)),
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

/** One `(community = c and user in (...))` clause per community, so a page costs one query. */
function groupByCommunity(pairs: [string, string][]): { community: string; user: { $in: string[] } }[] {
  const by = new Map<string, string[]>();
  for (const [c, u] of pairs) by.set(c, [...(by.get(c) ?? []), u]);
  return [...by.entries()].map(([community, users]) => ({ community, user: { $in: users } }));
}
