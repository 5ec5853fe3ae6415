import { defineEntity, p } from '@mikro-orm/core';

/** How far a user has read in a channel: every message up to `lastReadPosition`. */
export const ReadStateSchema = defineEntity({
  name: 'ReadState',
  tableName: 'read_states',
  properties: {
    userId: p.uuid().primary(),
    channelId: p.uuid().primary(),
    lastReadPosition: p.integer(),
    updatedAt: p.datetime().onCreate(() => new Date()),
  },
});
export class ReadState extends ReadStateSchema.class {}
ReadStateSchema.setClass(ReadState);
