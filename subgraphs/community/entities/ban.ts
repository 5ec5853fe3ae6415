import { defineEntity, p } from '@mikro-orm/core';
import { Community } from './community.ts';
import { User } from './user.ts';

/** A user banned from a community: they cannot join again until unbanned. */
export const BanSchema = defineEntity({
  name: 'Ban',
  tableName: 'bans',
  properties: {
    community: () => p.manyToOne(Community).ref().primary().deleteRule('cascade'),
    user: () => p.manyToOne(User).ref().primary().deleteRule('cascade'),
    reason: p.string().length(512).nullable(),
    bannedBy: p.uuid(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Ban extends BanSchema.class {}
BanSchema.setClass(Ban);
