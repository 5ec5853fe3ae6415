/** Reactions: add and remove unicode emoji; counts per emoji and whether the viewer reacted. */
import type { EntityManager } from '../../../platform/db/orm.ts';
import { badInput, forbidden } from '../../../platform/errors.ts';
import { Reaction } from '../entities/index.ts';
import { allows, type ChannelAccess } from './channel-access.ts';
import { isEmoji } from './emoji.ts';
import type { Message } from '../entities/index.ts';
import type { ChatEvents } from './chat-events.ts';
import { addToOutbox } from '../../../platform/events/outbox.ts';

export interface ReactionGroup {
  emoji: string;
  count: number;
  viewerReacted: boolean;
}

/** Distinct emoji one message may carry. */
export const MAX_EMOJI_PER_MESSAGE = 20;

export class ReactionService {
  readonly #events: ChatEvents;
  readonly #published: () => void;

  constructor(events: ChatEvents, published: () => void) {
    this.#events = events;
    this.#published = published;
  }

  async add(em: EntityManager, userId: string, message: Message, access: ChannelAccess, emoji: string): Promise<void> {
    if (!isEmoji(emoji)) throw badInput('A reaction is one unicode emoji.', 'emoji');
    if (!allows(access, 'ADD_REACTIONS')) throw forbidden('You cannot add reactions in this channel.');
    const existing = await em.getConnection().execute<{ n: string }[]>(
      'select count(distinct emoji) as n from chat.reactions where message_id = ? and emoji <> ?',
      [message.id, emoji],
    );
    if (Number(existing[0]?.n ?? 0) >= MAX_EMOJI_PER_MESSAGE) throw badInput(`A message carries at most ${MAX_EMOJI_PER_MESSAGE} different emoji.`, 'emoji');
    const added = await em.transactional(async (tx) => {
      const rows = await tx.getConnection().execute<{ message_id: string }[]>(
        'insert into chat.reactions (message_id, emoji, user_id, created_at) values (?, ?, ?, now()) on conflict do nothing returning message_id',
        [message.id, emoji, userId], 'all', tx.getTransactionContext(),
      );
      if (rows.length) addToOutbox(tx, this.#events.reactionChanged(message, emoji, userId, true));
      return rows.length > 0;
    });
    if (added) this.#published();
  }

  async remove(em: EntityManager, userId: string, message: Message, emoji: string): Promise<void> {
    if (!isEmoji(emoji)) throw badInput('A reaction is one unicode emoji.', 'emoji');
    const removed = await em.transactional(async (tx) => {
      const n = await tx.nativeDelete(Reaction, { messageId: message.id, emoji, userId });
      if (n > 0) addToOutbox(tx, this.#events.reactionChanged(message, emoji, userId, false));
      return n > 0;
    });
    if (removed) this.#published();
  }

  /** Reaction groups of many messages at once (one query), in order of first use. */
  async groups(em: EntityManager, messageIds: readonly string[], viewerId: string | null): Promise<ReactionGroup[][]> {
    const rows = await em.getConnection().execute<{ message_id: string; emoji: string; n: string; mine: boolean; first: Date }[]>(
      `select message_id, emoji, count(*) as n, bool_or(user_id = ?) as mine, min(created_at) as first
         from chat.reactions where message_id in (?) group by message_id, emoji order by first`,
      [viewerId ?? '00000000-0000-0000-0000-000000000000', [...messageIds]],
    );
    return messageIds.map((id) =>
      rows.filter((r) => r.message_id === id).map((r) => ({ emoji: r.emoji, count: Number(r.n), viewerReacted: Boolean(r.mine) })),
    );
  }
}
