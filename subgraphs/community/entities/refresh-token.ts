import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.ts';
import { Session } from './session.ts';

/**
 * One refresh token. Only a SHA-256 of its secret is stored. A token is used once: using
 * it marks it `usedAt` and issues the next one in the same session.
 */
export const RefreshTokenSchema = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  properties: {
    id: p.uuid().primary().onCreate(() => newId()),
    session: () => p.manyToOne(Session).ref().index().deleteRule('cascade'),
    secretHash: p.string().length(64),
    createdAt: p.datetime().onCreate(() => new Date()),
    usedAt: p.datetime().nullable(),
  },
});
export class RefreshToken extends RefreshTokenSchema.class {}
RefreshTokenSchema.setClass(RefreshToken);
