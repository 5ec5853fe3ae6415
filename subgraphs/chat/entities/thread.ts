import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.ts';

/** A thread: a side conversation in a channel, started from a message or on its own. */
export const ThreadSchema = defineEntity({
  name: 'Thread',
  tableName: 'threads',
  properties: {
    id: p.uuid().primary().onCreate(() => newId()),
    channelId: p.uuid().index(),
    /** The message the thread was started from (at most one thread per message). */
    parentMessageId: p.uuid().nullable().unique(),
    name: p.string().length(100),
    createdBy: p.uuid(),
    archivedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Thread extends ThreadSchema.class {}
ThreadSchema.setClass(Thread);
