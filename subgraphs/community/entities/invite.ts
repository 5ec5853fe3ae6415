import { defineEntity, p } from '@mikro-orm/core';
import { Community } from './community.ts';
import { User } from './user.ts';

/** An invite link's code, with optional expiry and use limit. */
export const InviteSchema = defineEntity({
  name: 'Invite',
  tableName: 'invites',
  properties: {
    code: p.string().length(16).primary(),
    community: () => p.manyToOne(Community).ref().index().deleteRule('cascade'),
    inviter: () => p.manyToOne(User).ref().deleteRule('cascade'),
    maxUses: p.integer().nullable(),
    uses: p.integer(),
    expiresAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Invite extends InviteSchema.class {}
InviteSchema.setClass(Invite);
