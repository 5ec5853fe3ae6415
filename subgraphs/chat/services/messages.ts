/** Sending and reading messages. */
import type { EntityManager } from '../../../platform/db/orm.ts';
import { badInput, notFound, forbidden, unauthenticated } from '../../../platform/errors.ts';
import { isUuid } from '../../../platform/ids.ts';
import { emptyConnection, keysetWhere, positionCursor, toConnection, toPage, type Connection, type PageArgs } from '../../../platform/graphql/connection.ts';
import { Message } from '../entities/index.ts';
import type { ChannelAccess } from './channel-access.ts';

export const MAX_BODY_LENGTH = 4000;
const MAX_NONCE_LENGTH = 64;

export class MessageService {
  async send(
    em: EntityManager,
    authorId: string | null,
    access: (channelId: string) => Promise<ChannelAccess>,
    input: { channelId: string; body: string; nonce?: string | null },
  ): Promise<Message> {
    if (!authorId) throw unauthenticated();
    const body = input.body.trim();
    if (body.length === 0) throw badInput('A message cannot be empty.', 'body');
    if (body.length > MAX_BODY_LENGTH) throw badInput(`A message is at most ${MAX_BODY_LENGTH} characters.`, 'body');
    const nonce = input.nonce ?? null;
    if (nonce !== null && (nonce.length === 0 || nonce.length > MAX_NONCE_LENGTH)) {
      throw badInput(`A nonce is 1 to ${MAX_NONCE_LENGTH} characters.`, 'nonce');
    }
    if (!isUuid(input.channelId)) throw notFound('Channel', input.channelId);
    const rights = await access(input.channelId);
    if (!rights.canView) throw notFound('Channel', input.channelId);
    if (!rights.canSend) throw forbidden('You cannot send messages in this channel.');

    if (nonce) {
      const existing = await em.findOne(Message, { authorId, nonce });
      if (existing) return existing;
    }
    try {
      return await em.transactional(async (tx) => {
        const [row] = await tx.getConnection().execute<{ last_position: number }[]>(
          `insert into chat.channel_sequences (channel_id, last_position) values (?, 1)
           on conflict (channel_id) do update set last_position = chat.channel_sequences.last_position + 1
           returning last_position`,
          [input.channelId],
          'all',
          tx.getTransactionContext(),
        );
        if (!row) throw new Error('channel sequence did not return a position');
        return tx.create(Message, { channelId: input.channelId, authorId, body, position: Number(row.last_position), nonce });
      });
    } catch (err) {
      // A concurrent send with the same nonce won the race: return its message.
      if (nonce && isUniqueViolation(err)) {
        const existing = await em.fork().findOne(Message, { authorId, nonce });
        if (existing) return existing;
      }
      throw err;
    }
  }

  async page(em: EntityManager, channelId: string, rights: ChannelAccess, args: PageArgs): Promise<Connection<Message>> {
    const page = toPage(positionCursor, args, 50);
    if (!rights.canView) return emptyConnection();
    const { range, order } = keysetWhere(page);
    const rows = await em.find(
      Message,
      { channelId, ...(range ? { position: range } : {}) },
      { orderBy: { position: order }, limit: page.limit },
    );
    return toConnection(rows, page, positionCursor, (m) => m.position);
  }
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '23505' || (err as { name?: unknown } | null)?.name === 'UniqueConstraintViolationException';
}
