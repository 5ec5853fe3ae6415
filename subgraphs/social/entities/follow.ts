import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.ts';

/** `followerId` follows `followeeId` (both users of the community subgraph). */
export const FollowSchema = defineEntity({
  name: 'Follow',
  tableName: 'follows',
  properties: {
    id: p.uuid().primary().onCreate(() => newId()),
    followerId: p.uuid(),
    followeeId: p.uuid().index(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  uniques: [{ name: 'follows_pair_unique', properties: ['followerId', 'followeeId'] }],
});
export class Follow extends FollowSchema.class {}
FollowSchema.setClass(Follow);
