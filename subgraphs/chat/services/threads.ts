/** Threads: started from a message or on their own, archived and unarchived, followed by members. */
import type { EntityManager } from '../../../platform/db/orm.ts';
import { badInput, forbidden, notFound, unauthenticated } from '../../../platform/errors.ts';
import { isUuid } from '../../../platform/ids.ts';
import { idCursor, toConnection, toPage, type Connection, type PageArgs } from '../../../platform/graphql/connection.ts';
import { Message, Thread, ThreadMember } from '../entities/index.ts';
import { allows, type ChannelAccess } from './channel-access.ts';

function checkName(raw: string): string {
  const name = raw.trim();
  if (name.length < 1 || name.length > 100) throw badInput('A thread name is 1 to 100 characters.', 'name');
  return name;
}

export class ThreadService {
  async start(em: EntityManager, userId: string | null, access: ChannelAccess, input: { channelId: string; name: string; messageId?: string | null }): Promise<Thread> {
    if (!userId) throw unauthenticated();
    if (!access.canView) throw notFound('Channel', input.channelId);
    if (!allows(access, 'CREATE_THREADS')) throw forbidden('You cannot start threads in this channel.');
    const name = checkName(input.name);
    let parentMessageId: string | null = null;
    if (input.messageId != null) {
      const parent = isUuid(input.messageId) ? await em.findOne(Message, { id: input.messageId }) : null;
      if (!parent || parent.streamId !== input.channelId) throw badInput('A thread starts from a message of the channel itself.', 'messageId');
      if (await em.count(Thread, { parentMessageId: parent.id })) throw badInput('That message already has a thread.', 'messageId');
      parentMessageId = parent.id;
    }
    return em.transactional(async (tx) => {
      const thread = tx.create(Thread, { channelId: input.channelId, parentMessageId, name, createdBy: userId, archivedAt: null });
      tx.create(ThreadMember, { threadId: thread.id, userId });
      return thread;
    });
  }

  async find(em: EntityManager, threadId: string): Promise<Thread | null> {
    return isUuid(threadId) ? em.findOne(Thread, { id: threadId }) : null;
  }

  async archive(em: EntityManager, userId: string | null, thread: Thread, access: ChannelAccess, archived: boolean): Promise<Thread> {
    if (!userId) throw unauthenticated();
    if (!access.canView) throw notFound('Thread', thread.id);
    if (thread.createdBy !== userId && !allows(access, 'MANAGE_THREADS')) throw forbidden('Only its creator or someone with MANAGE_THREADS can archive a thread.');
    thread.archivedAt = archived ? (thread.archivedAt ?? new Date()) : null;
    await em.flush();
    return thread;
  }

  async setMembership(em: EntityManager, userId: string | null, thread: Thread, access: ChannelAccess, member: boolean): Promise<Thread> {
    if (!userId) throw unauthenticated();
    if (!access.canView) throw notFound('Thread', thread.id);
    if (member) {
      await em.getConnection().execute('insert into chat.thread_members (thread_id, user_id, joined_at) values (?, ?, now()) on conflict do nothing', [thread.id, userId]);
    } else {
      await em.nativeDelete(ThreadMember, { threadId: thread.id, userId });
    }
    return thread;
  }

  /** Threads of a channel, newest first; archived ones only when asked. */
  async ofChannel(em: EntityManager, channelId: string, access: ChannelAccess, includeArchived: boolean, args: PageArgs): Promise<Connection<Thread>> {
    const page = toPage(idCursor, args);
    if (!access.canView) return toConnection([], page, idCursor, (t: Thread) => t.id);
    const rows = await em.find(
      Thread,
      { channelId, ...(includeArchived ? {} : { archivedAt: null }), ...(page.after ? { id: { $lt: page.after } } : {}) },
      { orderBy: { id: 'desc' }, limit: page.limit },
    );
    return toConnection(rows, page, idCursor, (t) => t.id);
  }

  async memberCount(em: EntityManager, threadId: string): Promise<number> {
    return em.count(ThreadMember, { threadId });
  }

  async isMember(em: EntityManager, threadId: string, userId: string | null): Promise<boolean> {
    return userId ? (await em.count(ThreadMember, { threadId, userId })) > 0 : false;
  }
}
