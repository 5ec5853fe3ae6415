/**
 * The events chat publishes, through its outbox: domain events for other subgraphs and
 * live triggers for subscriptions, one trigger per stream (a channel, or a thread).
 */
import type { OutboxEvent } from '../../../platform/events/outbox.ts';
import type { Message } from '../entities/index.ts';

/** What a live message event carries: enough to render it without a look-up. */
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

  deleted(m: Message): OutboxEvent[] {
    const payload = { id: m.id, channelId: m.channelId, threadId: m.threadId ?? null, position: m.position };
    return [
      { topic: 'chat.message.deleted', payload },
      { trigger: this.trigger('messageDeleted', m.streamId), payload },
    ];
  }

  reactionChanged(m: Message, emoji: string, userId: string, added: boolean): OutboxEvent[] {
    const payload = { messageId: m.id, channelId: m.channelId, threadId: m.threadId ?? null, emoji, userId, added };
    return [{ trigger: this.trigger('reactionChanged', m.streamId), payload }];
  }
}

function toPayload(m: Message): MessageEventPayload {
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
  };
}
