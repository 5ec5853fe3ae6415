/**
 * Read states and unread counts. Counts are computed from positions — "messages by others
 * after the last position I read" — so they stay exact while messages keep arriving, and
 * marking read never moves backwards.
 */
import type { EntityManager } from '../../../platform/db/orm.ts';
import { badInput } from '../../../platform/errors.ts';

export interface ChannelUnread {
  channelId: string;
  lastReadPosition: number;
  unreadCount: number;
  mentionCount: number;
}

export class ReadStateService {
  /** Marks read up to `position` (or the newest message); returns the resulting position. */
  async markRead(em: EntityManager, userId: string, channelId: string, position: number | null): Promise<number> {
    if (position !== null && (!Number.isInteger(position) || position < 0)) throw badInput('A position is 0 or more.', 'position');
    const [latest] = await em.getConnection().execute<{ last: number | null }[]>(
      'select last_position as last from chat.channel_sequences where channel_id = ?',
      [channelId],
    );
    const newest = Number(latest?.last ?? 0);
    const target = Math.min(position ?? newest, newest);
    const [row] = await em.getConnection().execute<{ last_read_position: number }[]>(
      `insert into chat.read_states (user_id, channel_id, last_read_position, updated_at) values (?, ?, ?, now())
       on conflict (user_id, channel_id) do update
         set last_read_position = greatest(chat.read_states.last_read_position, excluded.last_read_position), updated_at = now()
       returning last_read_position`,
      [userId, channelId, target],
    );
    return Number(row?.last_read_position ?? target);
  }

  /** Unread and mention counts of many channels for one user, in one query. */
  async unread(em: EntityManager, userId: string, channelIds: readonly string[]): Promise<ChannelUnread[]> {
    if (channelIds.length === 0) return [];
    const rows = await em.getConnection().execute<{ channel_id: string; last_read: number; unread: string; mentions: string }[]>(
      `select c.channel_id, coalesce(r.last_read_position, 0) as last_read,
              count(m.id) as unread,
              count(m.id) filter (where m.mentions_everyone or ? = any(m.mentioned_user_ids)) as mentions
         from unnest(?::uuid[]) as c(channel_id)
         left join chat.read_states r on r.channel_id = c.channel_id and r.user_id = ?
         left join chat.messages m on m.stream_id = c.channel_id and m.position > coalesce(r.last_read_position, 0) and m.author_id <> ?
        group by c.channel_id, r.last_read_position`,
      [userId, `{${channelIds.join(',')}}`, userId, userId],
    );
    const byId = new Map(rows.map((r) => [r.channel_id, r]));
    return channelIds.map((channelId) => {
      const r = byId.get(channelId);
      return { channelId, lastReadPosition: Number(r?.last_read ?? 0), unreadCount: Number(r?.unread ?? 0), mentionCount: Number(r?.mentions ?? 0) };
    });
  }
}
