import { defineEntity, p } from '@mikro-orm/core';

/** A user following a thread (joined by starting it, writing in it, or joining). */
export const ThreadMemberSchema = defineEntity({
  name: 'ThreadMember',
  tableName: 'thread_members',
  properties: {
    threadId: p.uuid().primary(),
    userId: p.uuid().primary(),
    joinedAt: p.datetime().onCreate(() => new Date()),
  },
});
export class ThreadMember extends ThreadMemberSchema.class {}
ThreadMemberSchema.setClass(ThreadMember);
