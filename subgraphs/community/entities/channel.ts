import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.ts';
import { Community } from './community.ts';

export const CHANNEL_TYPES = ['TEXT', 'VOICE', 'CATEGORY', 'ANNOUNCEMENT'] as const;
export type ChannelKind = (typeof CHANNEL_TYPES)[number];

export const ChannelSchema = defineEntity({
  name: 'Channel',
  tableName: 'channels',
  properties: {
    id: p.uuid().primary().onCreate(() => newId()),
    community: () => p.manyToOne(Community).ref().index(),
    name: p.string().length(100),
    type: p.enum(CHANNEL_TYPES).nativeEnumName('channel_type'),
    topic: p.string().length(1024).nullable(),
    position: p.integer(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Channel extends ChannelSchema.class {}
ChannelSchema.setClass(Channel);
