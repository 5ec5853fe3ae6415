/**
 * The events chat publishes, through its outbox: domain events for other subgraphs and
 * live triggers for subscriptions, one trigger per stream (a channel, or a thread).
 */
import type { OutboxEvent } from '../../../platform/events/outbox.ts';
import type { Message } from '../entities/index.ts';

/**
 * What a live message event carries: every column a `Message` resolves from, so that
 * subscribers render it without a look-up. (Events written before a field was added lack
 * it; readers default it.)
 */
export interface MessageEventPayload {
  id: string;
  channelId: string;
  threadId: string | null;
  communityId: string | null;
  authorId: string;
  body: string;
  position: number;
  createdAt: string;
  editedAt: string | null;
  replyToId?: string | null;
  mentionedUserIds?: string[];
  mentionedRoleIds?: string[];
  mentionsEveryone?: boolean;
  pinnedAt?: string | null;
}

/** A message deleted from its stream. */
export interface MessageDeletedPayload {
  id: string;
  channelId: string;
  threadId: string | null;
  position: number;
}

/** One user's reaction added to or removed from a message. */
export interface ReactionChangedPayload {
  messageId: string;
  channelId: string;
  threadId: string | null;
  emoji: string;
  userId: string;
  added: boolean;
}

export class ChatEvents {
  readonly #prefix: string;

  /** `prefix` keeps live triggers of deployments sharing one Redis apart. */
  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  /** The live trigger of `kind` events in a stream (`messageAdded`, `messageUpdated`...). */
  trigger(kind: 'messageAdded' | 'messageUpdated' | 'messageDeleted' | 'reactionChanged' | 'typing', streamId: string): string {
    return `${this.#prefix}chat.${kind}.${streamId}`;
  }

  created(m: Message): OutboxEvent[] {
    const payload = toPayload(m);
    return [
      { topic: 'chat.message.created', payload },
      { trigger: this.trigger('messageAdded', m.streamId), payload },
    ];
  }

  updated(m: Message): OutboxEvent[] {
    const payload = toPayload(m);
    return [
      { topic: 'chat.message.updated', payload },
      { trigger: this.trigger('messageUpdated', m.streamId), payload },
    ];
  }

  deleted(m: Pick<Message, 'id' | 'channelId' | 'threadId' | 'streamId' | 'position'>): OutboxEvent[] {
    const payload: MessageDeletedPayload = { id: m.id, channelId: m.channelId, threadId: m.threadId ?? null, position: m.position };
    return [
      { topic: 'chat.message.deleted', payload },
      { trigger: this.trigger('messageDeleted', m.streamId), payload },
    ];
  }

  reactionChanged(m: Message, emoji: string, userId: string, added: boolean): OutboxEvent[] {
    const payload: ReactionChangedPayload = { messageId: m.id, channelId: m.channelId, threadId: m.threadId ?? null, emoji, userId, added };
    return [{ trigger: this.trigger('reactionChanged', m.streamId), payload }];
  }
}

/** The event form of a message (also what a replay sends, so live and replayed messages are one shape). */
export function toPayload(m: Message): MessageEventPayload {
  return {
    id: m.id,
    channelId: m.channelId,
    threadId: m.threadId ?? null,
    communityId: m.communityId ?? null,
    authorId: m.authorId,
    body: m.body,
    position: m.position,
    createdAt: m.createdAt.toISOString(),
    editedAt: m.editedAt?.toISOString() ?? null,
    replyToId: m.replyToId ?? null,
    mentionedUserIds: m.mentionedUserIds,
    mentionedRoleIds: m.mentionedRoleIds,
    mentionsEveryone: m.mentionsEveryone,
    pinnedAt: m.pinnedAt?.toISOString() ?? null,
  };
}

/**
 * The message an event describes, built from the event alone (no query): the `Message`
 * resolvers read only these columns. A plain object of the entity's shape, detached from
 * any entity manager (fields it lacks, attachments, reactions..., are loaded by the
 * resolvers through DataLoaders). Not `new Message()`: an entity instance defines its
 * properties one by one on first write (MikroORM's change tracking): 8 % of chat's CPU
 * in a profile at 1,000 live events a second.
 */
export function fromPayload(p: MessageEventPayload): Message {
  const message: Omit<Message, 'tsv'> = {
    id: p.id,
    channelId: p.channelId,
    communityId: p.communityId,
    threadId: p.threadId,
    streamId: p.threadId ?? p.channelId,
    authorId: p.authorId,
    body: p.body,
    position: p.position,
    createdAt: new Date(p.createdAt),
    editedAt: p.editedAt ? new Date(p.editedAt) : null,
    replyToId: p.replyToId ?? null,
    mentionedUserIds: p.mentionedUserIds ?? [],
    mentionedRoleIds: p.mentionedRoleIds ?? [],
    mentionsEveryone: p.mentionsEveryone ?? false,
    pinnedAt: p.pinnedAt ? new Date(p.pinnedAt) : null,
    pinnedBy: null,
    nonce: null,
  };
  return message as Message;
}
