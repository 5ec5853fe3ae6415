/** Sending and reading messages. */
import type { EntityManager } from '../../../platform/db/orm.ts';
import { badInput, notFound, forbidden, unauthenticated } from '../../../platform/errors.ts';
import { isUuid } from '../../../platform/ids.ts';
import { emptyConnection, encodeCursor, keysetWhere, positionCursor, toConnection, toPage, type Connection, type PageArgs } from '../../../platform/graphql/connection.ts';
import { Attachment, Message, Thread } from '../entities/index.ts';
import type { AttachmentService } from './attachments.ts';
import type { ChatEvents } from './chat-events.ts';
import { addToOutbox } from '../../../platform/events/outbox.ts';
import { allows, type ChannelAccess } from './channel-access.ts';
import { parseMentions } from './mentions.ts';
import type { SendLimits } from './send-limits.ts';

export const MAX_BODY_LENGTH = 4000;
const MAX_NONCE_LENGTH = 64;

export class MessageService {
  readonly #limits: SendLimits;
  readonly #attachments: AttachmentService;
  readonly #events: ChatEvents;
  readonly #published: () => void;

  /** `published` is called after a commit that added events (it wakes the outbox relay). */
  constructor(limits: SendLimits, attachments: AttachmentService, events: ChatEvents, published: () => void) {
    this.#limits = limits;
    this.#attachments = attachments;
    this.#events = events;
    this.#published = published;
  }

  async send(
    em: EntityManager,
    authorId: string | null,
    access: (channelId: string) => Promise<ChannelAccess>,
    input: { channelId: string; body: string; nonce?: string | null; replyToId?: string | null; threadId?: string | null; attachmentIds?: readonly string[] | null },
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
    const threadId = input.threadId ?? null;
    if (threadId !== null) {
      const thread = isUuid(threadId) ? await em.findOne(Thread, { id: threadId }) : null;
      if (!thread || thread.channelId !== input.channelId) throw notFound('Thread', threadId);
      if (!allows(rights, 'SEND_MESSAGES_IN_THREADS')) throw forbidden('You cannot send messages in threads of this channel.');
      if (thread.archivedAt && !allows(rights, 'MANAGE_THREADS')) throw badInput('This thread is archived.', 'threadId');
    } else if (!rights.canSend) {
      throw forbidden('You cannot send messages in this channel.');
    }
    const streamId = threadId ?? input.channelId;
    if (input.replyToId != null) {
      const target = isUuid(input.replyToId) ? await em.findOne(Message, { id: input.replyToId }, { fields: ['streamId'] }) : null;
      if (!target || target.streamId !== streamId) throw badInput('A reply must answer a message of the same channel or thread.', 'replyToId');
    }
    const mentions = parseMentions(body);

    if (nonce) {
      const existing = await em.findOne(Message, { authorId, nonce });
      if (existing) return existing;
    }
    // After the nonce check: resending a message already sent never counts against the limits.
    await this.#limits.check(authorId, input.channelId, rights);
    const attachments = await this.#attachments.checkForSend(em, authorId, input.channelId, rights, input.attachmentIds ?? []);
    try {
      return await em.transactional(async (tx) => {
        const [row] = await tx.getConnection().execute<{ last_position: number }[]>(
          `insert into chat.channel_sequences (channel_id, last_position) values (?, 1)
           on conflict (channel_id) do update set last_position = chat.channel_sequences.last_position + 1
           returning last_position`,
          [streamId],
          'all',
          tx.getTransactionContext(),
        );
        if (threadId !== null) {
          // Writing in a thread follows it.
          await tx.getConnection().execute(
            'insert into chat.thread_members (thread_id, user_id, joined_at) values (?, ?, now()) on conflict do nothing',
            [threadId, authorId], 'run', tx.getTransactionContext(),
          );
        }
        if (!row) throw new Error('channel sequence did not return a position');
        const message = tx.create(Message, {
          channelId: input.channelId, communityId: rights.communityId, threadId, streamId, authorId, body, position: Number(row.last_position), nonce,
          replyToId: input.replyToId ?? null, mentionedUserIds: mentions.userIds, mentionedRoleIds: mentions.roleIds,
          // @everyone only counts for senders allowed to use it; otherwise it is plain text.
          mentionsEveryone: mentions.everyone && allows(rights, 'MENTION_EVERYONE'), pinnedAt: null, pinnedBy: null,
        });
        if (attachments.length) {
          await tx.nativeUpdate(Attachment, { id: { $in: attachments.map((a) => a.id) }, messageId: null }, { messageId: message.id });
        }
        // Written with the message: if the transaction rolls back, no event exists.
        addToOutbox(tx, this.#events.created(message));
        return message;
      }).then((message) => {
        this.#published();
        return message;
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

  /**
   * A page of a channel's messages, oldest first. Besides cursors, `afterPosition` resumes
   * after the last position a client saw, and `around` centres the page on a message.
   */
  async page(
    em: EntityManager,
    streamId: string,
    rights: ChannelAccess,
    args: PageArgs & { afterPosition?: number | null; around?: string | null },
  ): Promise<Connection<Message>> {
    if (args.afterPosition != null) {
      if (!Number.isInteger(args.afterPosition) || args.afterPosition < 0) throw badInput('afterPosition is a position (0 or more).', 'afterPosition');
      args = { ...args, after: encodeCursor(positionCursor, args.afterPosition) };
    }
    if (args.around != null) return this.#around(em, streamId, rights, args.around, args.first ?? 50);
    const page = toPage(positionCursor, args, 50);
    if (!rights.canView) return emptyConnection();
    const { range, order } = keysetWhere(page);
    const rows = await em.find(
      Message,
      { streamId, ...(range ? { position: range } : {}) },
      { orderBy: { position: order }, limit: page.limit },
    );
    return toConnection(rows, page, positionCursor, (m) => m.position);
  }

  /** Messages of a stream after position `after` (and before `before`, when given), in order. */
  async range(em: EntityManager, streamId: string, after: number, before: number | null, limit: number): Promise<Message[]> {
    return em.find(
      Message,
      { streamId, position: before === null ? { $gt: after } : { $gt: after, $lt: before } },
      { orderBy: { position: 'asc' }, limit },
    );
  }

  async #around(em: EntityManager, streamId: string, rights: ChannelAccess, messageId: string, size: number): Promise<Connection<Message>> {
    if (!Number.isInteger(size) || size < 1 || size > 100) throw badInput('Page size must be between 1 and 100.', 'first');
    if (!rights.canView) return emptyConnection();
    const anchor = isUuid(messageId) ? await em.findOne(Message, { id: messageId, streamId }) : null;
    if (!anchor) throw notFound('Message', messageId);
    const half = Math.floor(size / 2);
    const [before, after] = await Promise.all([
      em.find(Message, { streamId, position: { $lt: anchor.position } }, { orderBy: { position: 'desc' }, limit: half + 1 }),
      em.find(Message, { streamId, position: { $gte: anchor.position } }, { orderBy: { position: 'asc' }, limit: size - half + 1 }),
    ]);
    const hasPrevious = before.length > half;
    const hasNext = after.length > size - half;
    const rows = [...before.slice(0, half).reverse(), ...after.slice(0, size - half)];
    const edges = rows.map((node) => ({ cursor: encodeCursor(positionCursor, node.position), node }));
    return {
      edges,
      pageInfo: { hasNextPage: hasNext, hasPreviousPage: hasPrevious, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '23505' || (err as { name?: unknown } | null)?.name === 'UniqueConstraintViolationException';
}
