import { defineEntity, p } from '@mikro-orm/core';

/**
 * The last position handed out in each stream (a channel, or a thread: `channelId` holds
 * the stream's id). Its row lock orders concurrent sends.
 */
export const ChannelSequenceSchema = defineEntity({
  name: 'ChannelSequence',
  tableName: 'channel_sequences',
  properties: {
    channelId: p.uuid().primary(),
    lastPosition: p.integer(),
  },
});
export class ChannelSequence extends ChannelSequenceSchema.class {}
ChannelSequenceSchema.setClass(ChannelSequence);
