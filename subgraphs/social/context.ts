import DataLoader from 'dataloader';
import type { BaseSubgraphContext } from '../../platform/subgraph/module.ts';
import type { EntityManager } from '../../platform/db/orm.ts';
import { Follow } from './entities/index.ts';
import type { FollowService } from './services/follows.ts';

export interface SocialServices {
  follows: FollowService;
}

export interface SocialContext extends BaseSubgraphContext, SocialServices {
  loaders: {
    followerCount: DataLoader<string, number>;
    followingCount: DataLoader<string, number>;
    viewerFollows: DataLoader<string, boolean>;
  };
}

export function createSocialContext(base: BaseSubgraphContext, services: SocialServices): SocialContext {
  const viewer = base.viewer.userId;
  return {
    ...base,
    ...services,
    loaders: {
      followerCount: countBy(base.em, 'followee_id'),
      followingCount: countBy(base.em, 'follower_id'),
      viewerFollows: new DataLoader(async (ids) => {
        if (!viewer) return ids.map(() => false);
        const rows = await base.em.find(Follow, { followerId: viewer, followeeId: { $in: [...ids] } }, { fields: ['followeeId'] });
        const followed = new Set(rows.map((r) => r.followeeId));
        return ids.map((id) => followed.has(id));
      }),
    },
  };
}

function countBy(em: EntityManager, column: 'followee_id' | 'follower_id'): DataLoader<string, number> {
  return new DataLoader(async (ids) => {
    const rows = await em
      .getConnection()
      .execute<{ user_id: string; n: string }[]>(
        `select ${column} as user_id, count(*) as n from social.follows where ${column} in (?) group by ${column}`,
        [[...ids]],
      );
    const counts = new Map(rows.map((r) => [r.user_id, Number(r.n)]));
    return ids.map((id) => counts.get(id) ?? 0);
  });
}
