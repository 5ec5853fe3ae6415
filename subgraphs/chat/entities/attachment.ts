import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.ts';

/**
 * A file attached to a message. Created when the upload is requested (`messageId` null)
 * and bound to its message when the message is sent.
 */
export const AttachmentSchema = defineEntity({
  name: 'Attachment',
  tableName: 'attachments',
  properties: {
    id: p.uuid().primary().onCreate(() => newId()),
    messageId: p.uuid().nullable().index(),
    uploaderId: p.uuid(),
    channelId: p.uuid(),
    key: p.string().length(300),
    filename: p.string().length(255),
    contentType: p.string().length(100),
    byteSize: p.bigint('number'),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Attachment extends AttachmentSchema.class {}
AttachmentSchema.setClass(Attachment);
