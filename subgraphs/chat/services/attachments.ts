/**
 * Attachments go straight to object storage: the client asks for an upload URL (checked
 * against ATTACH_FILES, a size limit and refused types), PUTs the file, then sends a
 * message naming the upload; the file is checked again (present, same size) when bound.
 */
import type { EntityManager } from '../../../platform/db/orm.ts';
import type { ObjectStore } from '../../../platform/storage/object-store.ts';
import { badInput, forbidden, notFound, unauthenticated } from '../../../platform/errors.ts';
import { isUuid, newId } from '../../../platform/ids.ts';
import { Attachment } from '../entities/index.ts';
import { allows, type ChannelAccess } from './channel-access.ts';

export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;
/** Types refused outright: programs and scripts a click could run. */
export const REFUSED_TYPES = new Set([
  'application/x-msdownload', 'application/x-msdos-program', 'application/x-executable', 'application/x-sh',
  'application/x-bat', 'application/vnd.microsoft.portable-executable', 'application/java-archive', 'text/html',
]);
const UPLOAD_TTL_SECONDS = 15 * 60;
const URL_TTL_SECONDS = 3600;

export class AttachmentService {
  readonly #store: ObjectStore;

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  async requestUpload(
    em: EntityManager,
    userId: string | null,
    access: ChannelAccess,
    input: { channelId: string; filename: string; contentType: string; byteSize: number },
  ): Promise<{ attachment: Attachment; uploadUrl: string; expiresAt: Date }> {
    if (!userId) throw unauthenticated();
    if (!access.canView) throw notFound('Channel', input.channelId);
    if (!allows(access, 'ATTACH_FILES')) throw forbidden('You cannot attach files in this channel.');
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is being removed
    const filename = input.filename.trim().replace(/[/\\\u0000-\u001f]/g, '_');
    if (filename.length < 1 || filename.length > 255) throw badInput('A file name is 1 to 255 characters.', 'filename');
    const contentType = input.contentType.trim().toLowerCase();
    if (!/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(contentType)) throw badInput('contentType is a MIME type.', 'contentType');
    if (REFUSED_TYPES.has(contentType) || /\.(exe|bat|cmd|com|scr|msi|sh|js|jar|html?)$/i.test(filename)) {
      throw badInput('Executable files and web pages cannot be attached.', 'contentType');
    }
    if (!Number.isInteger(input.byteSize) || input.byteSize <= 0 || input.byteSize > MAX_ATTACHMENT_BYTES) {
      throw badInput('An attachment is 1 byte to 25 MiB.', 'byteSize');
    }
    const id = newId();
    const key = `attachments/${input.channelId}/${id}`;
    const uploadUrl = await this.#store.presignPut(key, UPLOAD_TTL_SECONDS);
    const attachment = em.create(Attachment, { id, messageId: null, uploaderId: userId, channelId: input.channelId, key, filename, contentType, byteSize: input.byteSize });
    await em.flush();
    return { attachment, uploadUrl, expiresAt: new Date(Date.now() + UPLOAD_TTL_SECONDS * 1000) };
  }

  /** Checks uploads named in a send: the sender's, for this channel, unused, uploaded, of the declared size. */
  async checkForSend(em: EntityManager, userId: string, channelId: string, access: ChannelAccess, ids: readonly string[]): Promise<Attachment[]> {
    if (ids.length === 0) return [];
    if (!allows(access, 'ATTACH_FILES')) throw forbidden('You cannot attach files in this channel.');
    const unique = [...new Set(ids)];
    if (unique.length > MAX_ATTACHMENTS_PER_MESSAGE) throw badInput(`A message has at most ${MAX_ATTACHMENTS_PER_MESSAGE} attachments.`, 'attachmentIds');
    if (unique.some((id) => !isUuid(id))) throw badInput('Unknown attachment.', 'attachmentIds');
    const rows = await em.find(Attachment, { id: { $in: unique }, uploaderId: userId, channelId, messageId: null });
    if (rows.length !== unique.length) throw badInput('An attachment is unknown, already used, or for another channel.', 'attachmentIds');
    for (const a of rows) {
      const object = await this.#store.stat(a.key);
      if (!object) throw badInput(`The file ${a.filename} has not been uploaded.`, 'attachmentIds');
      if (object.size !== a.byteSize) throw badInput(`The file ${a.filename} is ${object.size} bytes, not the ${a.byteSize} declared.`, 'attachmentIds');
    }
    return rows;
  }

  url(attachment: Attachment): Promise<string> {
    return this.#store.presignGet(attachment.key, URL_TTL_SECONDS);
  }
}
