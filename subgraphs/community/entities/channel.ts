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
    community: () => p.manyToOne(Community).ref().index().deleteRule('cascade'),
    name: p.string().length(100),
    type: p.enum(CHANNEL_TYPES).nativeEnumName('channel_type'),
    topic: p.string().length(1024).nullable(),
    position: p.integer(),
    /** The category the channel sits in (a CATEGORY channel of the same community). */
    parentId: p.uuid().nullable(),
    /** When true the channel uses its category's permission overwrites instead of its own. */
    permissionsSynced: p.boolean(),
    /** Seconds a member must wait between two messages (0: no slow mode). */
    slowModeSeconds: p.integer(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Channel extends ChannelSchema.class {}
ChannelSchema.setClass(Channel);
