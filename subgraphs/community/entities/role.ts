import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.ts';
import { Community } from './community.ts';

/**
 * A role. The @everyone role of a community has the community's id and position 0;
 * higher positions rank higher in the hierarchy.
 */
export const RoleSchema = defineEntity({
  name: 'Role',
  tableName: 'roles',
  properties: {
    id: p.uuid().primary().onCreate(() => newId()),
    community: () => p.manyToOne(Community).ref().index().deleteRule('cascade'),
    name: p.string().length(100),
    /** RGB colour as an integer (0 = none). */
    color: p.integer(),
    position: p.integer(),
    permissions: p.bigint('bigint'),
    mentionable: p.boolean(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Role extends RoleSchema.class {}
RoleSchema.setClass(Role);
