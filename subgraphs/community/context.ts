import DataLoader from 'dataloader';
import type { BaseSubgraphContext } from '../../platform/subgraph/module.ts';
import type { EntityManager } from '../../platform/db/orm.ts';
import { Channel, Community, User } from './entities/index.ts';
import type { AccountService } from './services/accounts.ts';
import type { CommunityService } from './services/communities.ts';

export interface CommunityServices {
  accounts: AccountService;
  communities: CommunityService;
}

export interface CommunityContext extends BaseSubgraphContext, CommunityServices {
  loaders: CommunityLoaders;
}

export interface CommunityLoaders {
  user: DataLoader<string, User | null>;
  community: DataLoader<string, Community | null>;
  channelsOfCommunity: DataLoader<string, Channel[]>;
  memberCount: DataLoader<string, number>;
}

export function createCommunityContext(base: BaseSubgraphContext, services: CommunityServices): CommunityContext {
  return { ...base, ...services, loaders: createLoaders(base.em) };
}

function byId<T extends { id: string }>(rows: T[], ids: readonly string[]): (T | null)[] {
  const map = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => map.get(id) ?? null);
}

function createLoaders(em: EntityManager): CommunityLoaders {
  return {
    user: new DataLoader(async (ids) => byId(await em.find(User, { id: { $in: [...ids] } }), ids)),
    community: new DataLoader(async (ids) => byId(await em.find(Community, { id: { $in: [...ids] } }), ids)),
    channelsOfCommunity: new DataLoader(async (ids) => {
      const channels = await em.find(Channel, { community: { $in: [...ids] } }, { orderBy: { position: 'asc', id: 'asc' } });
      return ids.map((id) => channels.filter((c) => c.community.id === id));
    }),
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
  };
}
