import { defineEntity, p } from '@mikro-orm/core';

/** One user's reaction with one emoji to one message. */
export const ReactionSchema = defineEntity({
  name: 'Reaction',
  tableName: 'reactions',
  properties: {
    messageId: p.uuid().primary(),
    emoji: p.string().length(64).primary(),
    userId: p.uuid().primary(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Reaction extends ReactionSchema.class {}
ReactionSchema.setClass(Reaction);
