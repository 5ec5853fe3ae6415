/** Tracks: creating one with a direct-upload URL, and who may see which. */
import type { EntityManager } from '../../../platform/db/orm.ts';
import type { ObjectStore } from '../../../platform/storage/object-store.ts';
import { badInput, unauthenticated } from '../../../platform/errors.ts';
import { isUuid, newId } from '../../../platform/ids.ts';
import { idCursor, keysetWhere, toConnection, toPage, type Connection, type PageArgs } from '../../../platform/graphql/connection.ts';
import { Track, type TrackVisibility } from '../entities/index.ts';

/** Audio types accepted for upload. */
export const ACCEPTED_AUDIO_TYPES = new Set([
  'audio/mpeg', 'audio/wav', 'audio/x-wav', 'audio/flac', 'audio/x-flac', 'audio/ogg', 'audio/aac', 'audio/mp4', 'audio/webm',
]);
export const MAX_UPLOAD_BYTES = 1024 ** 3;
export const UPLOAD_URL_TTL_SECONDS = 15 * 60;

export interface TrackUpload {
  track: Track;
  uploadUrl: string;
  uploadUrlExpiresAt: Date;
}

export class TrackService {
  readonly #store: ObjectStore;

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  async requestUpload(
    em: EntityManager,
    ownerId: string | null,
    input: { title: string; description?: string | null; contentType: string; byteSize: number; visibility: TrackVisibility },
  ): Promise<TrackUpload> {
    if (!ownerId) throw unauthenticated();
    const title = input.title.trim();
    if (title.length < 1 || title.length > 200) throw badInput('A title is 1 to 200 characters.', 'title');
    const description = input.description?.trim() || null;
    if (description && description.length > 5000) throw badInput('A description is at most 5,000 characters.', 'description');
    const contentType = input.contentType.trim().toLowerCase();
    if (!ACCEPTED_AUDIO_TYPES.has(contentType)) {
      throw badInput(`Unsupported file type ${input.contentType}; upload ${[...ACCEPTED_AUDIO_TYPES].join(', ')}.`, 'contentType');
    }
    if (!Number.isInteger(input.byteSize) || input.byteSize <= 0 || input.byteSize > MAX_UPLOAD_BYTES) {
      throw badInput('A file is 1 byte to 1 GiB.', 'byteSize');
    }
    const id = newId();
    const originalKey = `originals/${id}`;
    // Sign first: if the store is down, no track row is left behind.
    const uploadUrl = await this.#store.presignPut(originalKey, UPLOAD_URL_TTL_SECONDS);
    const track = em.create(Track, {
      id, ownerId, title, description, contentType, byteSize: input.byteSize,
      status: 'UPLOADING', visibility: input.visibility, originalKey, failureReason: null, durationSeconds: null,
    });
    await em.flush();
    return { track, uploadUrl, uploadUrlExpiresAt: new Date(Date.now() + UPLOAD_URL_TTL_SECONDS * 1000) };
  }

  /** Whether `viewerId` may see `track`: its owner always; others once it is public and playable. */
  canSee(track: Track, viewerId: string | null): boolean {
    return track.ownerId === viewerId || (track.visibility === 'PUBLIC' && track.status === 'READY');
  }

  async find(em: EntityManager, id: string, viewerId: string | null): Promise<Track | null> {
    if (!isUuid(id)) return null;
    const track = await em.findOne(Track, { id });
    return track && this.canSee(track, viewerId) ? track : null;
  }

  async ofOwner(em: EntityManager, ownerId: string, viewerId: string | null, args: PageArgs): Promise<Connection<Track>> {
    const page = toPage(idCursor, args);
    // Newest first: "after" a cursor means older ids.
    const reversed = { ...page, after: page.before, before: page.after };
    const { range } = keysetWhere(reversed);
    const rows = await em.find(
      Track,
      {
        ownerId,
        ...(range ? { id: range } : {}),
        ...(ownerId === viewerId ? {} : { visibility: 'PUBLIC', status: 'READY' }),
      },
      { orderBy: { id: 'desc' }, limit: page.limit },
    );
    return toConnection(rows, page, idCursor, (t) => t.id);
  }
}
