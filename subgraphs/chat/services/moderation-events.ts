/**
 * What chat does when the community subgraph reports a moderation action: a ban may ask
 * for the banned user's recent messages in that community to be deleted.
 */
import type { EntityManager } from '../../../platform/db/orm.ts';
import type { DomainEvent, EventTopics } from '../../../platform/events/bus.ts';
import { addToOutbox } from '../../../platform/events/outbox.ts';
import type { ChatEvents } from './chat-events.ts';

export class ModerationEvents {
  readonly #events: ChatEvents;
  readonly #published: () => void;

  /** Purged messages are announced like deleted ones, so live subscribers drop them too. */
  constructor(events: ChatEvents, published: () => void) {
    this.#events = events;
    this.#published = published;
  }

  /** Deletes the removed member's messages of the last `deleteMessageSeconds` (idempotent). */
  async onMemberRemoved(em: EntityManager, event: DomainEvent<EventTopics['community.member.removed']>): Promise<number> {
    const { communityId, userId, deleteMessageSeconds } = event.payload;
    if (deleteMessageSeconds <= 0) return 0;
    const since = new Date(new Date(event.occurredAt).getTime() - deleteMessageSeconds * 1000);
    const deleted = await em.transactional(async (tx) => {
      const rows = await tx.getConnection().execute<{ id: string; channel_id: string; thread_id: string | null; stream_id: string; position: number }[]>(
        'select id, channel_id, thread_id, stream_id, position from chat.messages where community_id = ? and author_id = ? and created_at >= ?',
        [communityId, userId, since], 'all', tx.getTransactionContext(),
      );
      const ids = rows.map((r) => r.id);
      if (ids.length === 0) return 0;
      await tx.getConnection().execute('delete from chat.reactions where message_id in (?)', [ids], 'run', tx.getTransactionContext());
      await tx.getConnection().execute('delete from chat.messages where id in (?)', [ids], 'run', tx.getTransactionContext());
      addToOutbox(tx, rows.flatMap((r) => this.#events.deleted({ id: r.id, channelId: r.channel_id, threadId: r.thread_id, streamId: r.stream_id, position: Number(r.position) })));
      return ids.length;
    });
    if (deleted > 0) this.#published();
    return deleted;
  }
}
