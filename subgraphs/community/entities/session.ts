import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.ts';
import { User } from './user.ts';

/**
 * A signed-in session: one sign-in on one device. Its refresh tokens form one rotation
 * family; reusing a rotated token revokes the session.
 */
export const SessionSchema = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    id: p.uuid().primary().onCreate(() => newId()),
    user: () => p.manyToOne(User).ref().index().deleteRule('cascade'),
    userAgent: p.string().length(300).nullable(),
    clientAddress: p.string().length(64).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    lastUsedAt: p.datetime().onCreate(() => new Date()),
    /** The session ends at the latest then, refreshed or not. */
    expiresAt: p.datetime(),
    revokedAt: p.datetime().nullable(),
    revokedReason: p.string().length(100).nullable(),
  },
});
export class Session extends SessionSchema.class {}
SessionSchema.setClass(Session);
