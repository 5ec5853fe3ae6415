import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.ts';

/** An account. The handle is unique regardless of case (through `handleKey`). */
export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.uuid().primary().onCreate(() => newId()),
    /** As the user typed it. */
    handle: p.string().length(32),
    /** Lower-cased handle: what uniqueness and look-ups use. */
    handleKey: p.string().length(32).unique(),
    displayName: p.string().length(64),
    bio: p.text().nullable(),
    /** Object-store key of the avatar image. */
    avatarKey: p.string().length(200).nullable(),
    /** argon2id hash (PHC string). */
    passwordHash: p.text().hidden().lazy(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class User extends UserSchema.class {}
UserSchema.setClass(User);
