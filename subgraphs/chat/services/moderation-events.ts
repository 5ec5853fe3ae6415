/**
 * What chat does when the community subgraph reports a moderation action: a ban may ask
 * for the banned user's recent messages in that community to be deleted.
 */
import type { EntityManager } from '../../../platform/db/orm.ts';
import type { DomainEvent, EventTopics } from '../../../platform/events/bus.ts';

export class ModerationEvents {
  /** Deletes the removed member's messages of the last `deleteMessageSeconds` (idempotent). */
  async onMemberRemoved(em: EntityManager, event: DomainEvent<EventTopics['community.member.removed']>): Promise<number> {
    const { communityId, userId, deleteMessageSeconds } = event.payload;
    if (deleteMessageSeconds <= 0) return 0;
    const since = new Date(new Date(event.occurredAt).getTime() - deleteMessageSeconds * 1000);
    return em.transactional(async (tx) => {
      const ids = (
        await tx.getConnection().execute<{ id: string }[]>(
          'select id from chat.messages where community_id = ? and author_id = ? and created_at >= ?',
          [communityId, userId, since], 'all', tx.getTransactionContext(),
        )
      ).map((r) => r.id);
      if (ids.length === 0) return 0;
      await tx.getConnection().execute('delete from chat.reactions where message_id in (?)', [ids], 'run', tx.getTransactionContext());
      await tx.getConnection().execute('delete from chat.messages where id in (?)', [ids], 'run', tx.getTransactionContext());
      return ids.length;
    });
  }
}
