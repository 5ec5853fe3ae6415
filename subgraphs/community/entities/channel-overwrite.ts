import { defineEntity, p } from '@mikro-orm/core';
import { Channel } from './channel.ts';

export const OVERWRITE_TARGETS = ['ROLE', 'MEMBER'] as const;

/** Permissions allowed and denied in one channel for one role or one member. */
export const ChannelOverwriteSchema = defineEntity({
  name: 'ChannelOverwrite',
  tableName: 'channel_overwrites',
  properties: {
    channel: () => p.manyToOne(Channel).ref().primary().deleteRule('cascade'),
    targetType: p.enum(OVERWRITE_TARGETS).nativeEnumName('overwrite_target').primary(),
    targetId: p.uuid().primary(),
    allow: p.bigint('bigint'),
    deny: p.bigint('bigint'),
  },
});
export class ChannelOverwrite extends ChannelOverwriteSchema.class {}
ChannelOverwriteSchema.setClass(ChannelOverwrite);
