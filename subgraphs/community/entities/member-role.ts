import { defineEntity, p } from '@mikro-orm/core';
import { Community } from './community.ts';
import { Role } from './role.ts';
import { User } from './user.ts';

/** A role given to a member. */
export const MemberRoleSchema = defineEntity({
  name: 'MemberRole',
  tableName: 'member_roles',
  properties: {
    community: () => p.manyToOne(Community).ref().primary().deleteRule('cascade'),
    user: () => p.manyToOne(User).ref().primary().deleteRule('cascade'),
    role: () => p.manyToOne(Role).ref().primary().index().deleteRule('cascade'),
  },
});
export class MemberRole extends MemberRoleSchema.class {}
MemberRoleSchema.setClass(MemberRole);
