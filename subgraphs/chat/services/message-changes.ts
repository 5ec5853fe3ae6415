/** Changes to sent messages: edits (author only), deletes (author or MANAGE_MESSAGES) and pins. */
import type { EntityManager } from '../../../platform/db/orm.ts';
import { badInput, forbidden, notFound } from '../../../platform/errors.ts';
import { Message, Reaction } from '../entities/index.ts';
import { allows, type ChannelAccess } from './channel-access.ts';
import { parseMentions } from './mentions.ts';
import { MAX_BODY_LENGTH } from './messages.ts';
import type { ChatEvents } from './chat-events.ts';
import { addToOutbox } from '../../../platform/events/outbox.ts';

/** Pinned messages per channel, as in Discord. */
export const MAX_PINS = 50;

export class MessageChangeService {
  readonly #events: ChatEvents;
  readonly #published: () => void;

  constructor(events: ChatEvents, published: () => void) {
    this.#events = events;
    this.#published = published;
  }

  async edit(em: EntityManager, userId: string, message: Message, access: ChannelAccess, body: string): Promise<Message> {
    if (message.authorId !== userId) throw forbidden('You can only edit your own messages.');
    if (!access.canView) throw notFound('Message', message.id);
    const text = body.trim();
    if (text.length === 0) throw badInput('A message cannot be empty.', 'body');
    if (text.length > MAX_BODY_LENGTH) throw badInput(`A message is at most ${MAX_BODY_LENGTH} characters.`, 'body');
    const mentions = parseMentions(text);
    message.body = text;
    message.mentionedUserIds = mentions.userIds;
    message.mentionedRoleIds = mentions.roleIds;
    message.mentionsEveryone = mentions.everyone && allows(access, 'MENTION_EVERYONE');
    message.editedAt = new Date();
    await em.transactional(async (tx) => {
      tx.persist(message);
      addToOutbox(tx, this.#events.updated(message));
    });
    this.#published();
    return message;
  }

  async delete(em: EntityManager, userId: string, message: Message, access: ChannelAccess): Promise<void> {
    if (!access.canView) throw notFound('Message', message.id);
    if (message.authorId !== userId && !allows(access, 'MANAGE_MESSAGES')) throw forbidden('You can only delete your own messages.');
    await em.transactional(async (tx) => {
      await tx.nativeDelete(Reaction, { messageId: message.id });
      // Replies keep pointing at a message that is gone; they show it as deleted.
      await tx.nativeDelete(Message, { id: message.id });
      addToOutbox(tx, this.#events.deleted(message));
    });
    this.#published();
  }

  async pin(em: EntityManager, userId: string, message: Message, access: ChannelAccess, pinned: boolean): Promise<Message> {
    if (!access.canView) throw notFound('Message', message.id);
    if (!allows(access, 'MANAGE_MESSAGES')) throw forbidden('You need MANAGE_MESSAGES to pin messages.');
    if (pinned === (message.pinnedAt !== null)) return message;
    if (pinned) {
      const count = await em.count(Message, { channelId: message.channelId, pinnedAt: { $ne: null } });
      if (count >= MAX_PINS) throw badInput(`A channel has at most ${MAX_PINS} pinned messages.`, 'messageId');
      message.pinnedAt = new Date();
      message.pinnedBy = userId;
    } else {
      message.pinnedAt = null;
      message.pinnedBy = null;
    }
    // `pinned` is a field of the message: live subscribers see the change as an update.
    await em.transactional(async (tx) => {
      tx.persist(message);
      addToOutbox(tx, this.#events.updated(message));
    });
    this.#published();
    return message;
  }
}
