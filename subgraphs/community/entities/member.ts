import { defineEntity, p } from '@mikro-orm/core';
import { Community } from './community.ts';
import { User } from './user.ts';

/** Membership of a user in a community. */
export const MemberSchema = defineEntity({
  name: 'Member',
  tableName: 'members',
  properties: {
    community: () => p.manyToOne(Community).ref().primary().deleteRule('cascade'),
    user: () => p.manyToOne(User).ref().primary().index().deleteRule('cascade'),
    nickname: p.string().length(64).nullable(),
    /** Until then the member may read but not write (see permissions/compute.ts). */
    timedOutUntil: p.datetime().nullable(),
    joinedAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Member extends MemberSchema.class {}
MemberSchema.setClass(Member);
