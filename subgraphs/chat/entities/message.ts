import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.ts';

/**
 * A message. `channelId` and `authorId` point into the community subgraph, so they are
 * plain ids (no foreign key across subgraphs). `position` is the message's place in its
 * stream (the channel, or a thread of it), allocated from `ChannelSequence` in the same
 * transaction.
 */
export const MessageSchema = defineEntity({
  name: 'Message',
  tableName: 'messages',
  properties: {
    id: p.uuid().primary().onCreate(() => newId()),
    channelId: p.uuid(),
    /** The channel's community (as the community subgraph said when the message was sent). */
    communityId: p.uuid().nullable(),
    /** The thread the message belongs to, or null for the channel itself. */
    threadId: p.uuid().nullable(),
    /** Where `position` counts: the thread's id for thread messages, else the channel's. */
    streamId: p.uuid(),
    authorId: p.uuid(),
    body: p.text(),
    /** Full-text index of the body (language-neutral `simple` configuration), kept by PostgreSQL. */
    tsv: p.type('tsvector').generated("(to_tsvector('simple', body)) stored").lazy().nullable(),
    position: p.integer(),
    /** The message this one replies to (same channel). */
    replyToId: p.uuid().nullable(),
    /** Users mentioned as <@id>, roles as <@&id>, and whether @everyone was used (with the permission). */
    mentionedUserIds: p.array().$type<string[]>(),
    mentionedRoleIds: p.array().$type<string[]>(),
    mentionsEveryone: p.boolean(),
    pinnedAt: p.datetime().nullable(),
    pinnedBy: p.uuid().nullable(),
    /** The sender's idempotency token, unique per author. */
    nonce: p.string().length(64).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    editedAt: p.datetime().nullable(),
  },
  indexes: [
    { name: 'messages_tsv_index', properties: ['tsv'], type: 'gin' },
    { name: 'messages_community_author_index', properties: ['communityId', 'authorId', 'createdAt'] },
  ],
  uniques: [
    { name: 'messages_stream_position_unique', properties: ['streamId', 'position'] },
    { name: 'messages_author_nonce_unique', properties: ['authorId', 'nonce'] },
  ],
});
export class Message extends MessageSchema.class {}
MessageSchema.setClass(Message);
