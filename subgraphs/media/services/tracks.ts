/** Tracks: direct uploads, their checks, edits, and who may see which. */
import { randomBytes } from 'node:crypto';
import type { EntityManager } from '../../../platform/db/orm.ts';
import type { ObjectStore } from '../../../platform/storage/object-store.ts';
import type { JobQueue } from '../../../platform/queue/queue.ts';
import { badInput, forbidden, notFound, unauthenticated } from '../../../platform/errors.ts';
import { isUuid, newId } from '../../../platform/ids.ts';
import { idCursor, keysetWhere, toConnection, toPage, type Connection, type PageArgs } from '../../../platform/graphql/connection.ts';
import { Track, type TrackVisibility } from '../entities/index.ts';
import { addToOutbox } from '../../../platform/events/outbox.ts';
import type { TrackEvents } from './track-events.ts';
import { effectsPrefix } from './effect-renders.ts';

/** Audio types accepted for upload. */
export const ACCEPTED_AUDIO_TYPES = new Set([
  'audio/mpeg', 'audio/wav', 'audio/x-wav', 'audio/flac', 'audio/x-flac', 'audio/ogg', 'audio/aac', 'audio/mp4', 'audio/webm',
]);
export const MAX_UPLOAD_BYTES = 1024 ** 3;
export const UPLOAD_URL_TTL_SECONDS = 15 * 60;
/** The queue the transcoding worker takes jobs from. */
export const TRANSCODE_QUEUE = 'transcode';

export interface TranscodeJobPayload {
  trackId: string;
  originalKey: string;
  byteSize: number;
  sha256: string;
}

export interface TrackUpload {
  track: Track;
  uploadUrl: string;
  uploadUrlExpiresAt: Date;
}

function checkTags(tags: readonly string[] | null | undefined): string[] {
  const clean = [...new Set((tags ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean))];
  if (clean.length > 10 || clean.some((t) => t.length > 32)) throw badInput('A track has at most 10 tags of 1 to 32 characters.', 'tags');
  return clean;
}

function checkTitle(raw: string): string {
  const title = raw.trim();
  if (title.length < 1 || title.length > 200) throw badInput('A title is 1 to 200 characters.', 'title');
  return title;
}

function checkDescription(raw: string): string | null {
  const d = raw.trim();
  if (d.length > 5000) throw badInput('A description is at most 5,000 characters.', 'description');
  return d || null;
}

function checkGenre(raw: string): string | null {
  const g = raw.trim();
  if (g.length > 64) throw badInput('A genre is at most 64 characters.', 'genre');
  return g || null;
}

export class TrackService {
  readonly #store: ObjectStore;
  readonly #queue: JobQueue;
  readonly #events: TrackEvents;
  readonly #published: () => void;

  /** `published` wakes the outbox relay after a commit that added events. */
  constructor(store: ObjectStore, queue: JobQueue, events: TrackEvents, published: () => void) {
    this.#store = store;
    this.#queue = queue;
    this.#events = events;
    this.#published = published;
  }

  async requestUpload(
    em: EntityManager,
    ownerId: string | null,
    input: { title: string; description?: string | null; contentType: string; byteSize: number; visibility: TrackVisibility; tags?: string[] | null; genre?: string | null },
  ): Promise<TrackUpload> {
    if (!ownerId) throw unauthenticated();
    const title = checkTitle(input.title);
    const description = input.description != null ? checkDescription(input.description) : null;
    const contentType = input.contentType.trim().toLowerCase();
    if (!ACCEPTED_AUDIO_TYPES.has(contentType)) {
      throw badInput(`Unsupported file type ${input.contentType}; upload ${[...ACCEPTED_AUDIO_TYPES].join(', ')}.`, 'contentType');
    }
    if (!Number.isInteger(input.byteSize) || input.byteSize <= 0 || input.byteSize > MAX_UPLOAD_BYTES) {
      throw badInput('A file is 1 byte to 1 GiB.', 'byteSize');
    }
    const tags = checkTags(input.tags);
    const genre = input.genre != null ? checkGenre(input.genre) : null;
    const id = newId();
    const originalKey = `originals/${id}`;
    // Sign first: if the store is down, no track row is left behind.
    const uploadUrl = await this.#store.presignPut(originalKey, UPLOAD_URL_TTL_SECONDS);
    const track = em.create(Track, {
      id, ownerId, title, description, contentType, byteSize: input.byteSize, tags, genre,
      status: 'UPLOADING', visibility: input.visibility, secretToken: randomBytes(16).toString('base64url'),
      originalKey, failureReason: null, durationSeconds: null, sha256: null, loudness: null, renditionsPrefix: null,
      artworkKey: null, processingProgress: null, renditionsComplete: false, playCount: 0,
    });
    await em.flush();
    return { track, uploadUrl, uploadUrlExpiresAt: new Date(Date.now() + UPLOAD_URL_TTL_SECONDS * 1000) };
  }

  /**
   * Checks the uploaded object and queues the track for transcoding. A file that is not
   * there yet is an error (upload, then try again); a file of the wrong size or type is
   * deleted and the track FAILS with the reason, so nothing is left half-done.
   */
  async completeUpload(em: EntityManager, viewerId: string | null, trackId: string, sha256: string): Promise<Track> {
    const track = await this.#owned(em, viewerId, trackId);
    if (!/^[0-9a-f]{64}$/i.test(sha256)) throw badInput('sha256 is the file\'s SHA-256 in 64 hex digits.', 'sha256');
    if (track.status === 'PROCESSING' || track.status === 'READY') return track;
    if (track.status === 'FAILED') throw badInput(`This upload failed (${track.failureReason ?? 'unknown reason'}); start a new one.`, 'trackId');
    const object = await this.#store.stat(track.originalKey);
    if (!object) throw badInput('No file has been uploaded for this track yet.', 'trackId');
    const problem =
      object.size > MAX_UPLOAD_BYTES ? `The file is larger than 1 GiB (${object.size} bytes).`
        : object.size !== track.byteSize ? `The file is ${object.size} bytes, not the ${track.byteSize} declared.`
          : object.contentType && object.contentType !== track.contentType ? `The file was uploaded as ${object.contentType}, not ${track.contentType}.`
            : null;
    if (problem) {
      await this.#store.remove(track.originalKey);
      track.status = 'FAILED';
      track.failureReason = problem;
      await this.#flushWithStep(em, track);
      return track;
    }
    track.status = 'PROCESSING';
    track.sha256 = sha256.toLowerCase();
    track.processingProgress = 0;
    await this.#flushWithStep(em, track);
    const payload: TranscodeJobPayload = { trackId: track.id, originalKey: track.originalKey, byteSize: track.byteSize, sha256: track.sha256 };
    try {
      await this.#queue.enqueue(TRANSCODE_QUEUE, payload, { jobId: track.id, attempts: 4, backoffMs: 5000 });
    } catch (err) {
      // The queue is down: go back to UPLOADING so the client can complete again.
      track.status = 'UPLOADING';
      track.processingProgress = null;
      await this.#flushWithStep(em, track);
      throw err;
    }
    return track;
  }

  async update(
    em: EntityManager,
    viewerId: string | null,
    input: { trackId: string; title?: string | null; description?: string | null; tags?: string[] | null; genre?: string | null; visibility?: TrackVisibility | null },
  ): Promise<Track> {
    const track = await this.#owned(em, viewerId, input.trackId);
    if (input.title != null) track.title = checkTitle(input.title);
    if (input.description != null) track.description = checkDescription(input.description);
    if (input.tags != null) track.tags = checkTags(input.tags);
    if (input.genre != null) track.genre = checkGenre(input.genre);
    if (input.visibility != null) track.visibility = input.visibility;
    await em.flush();
    return track;
  }

  async delete(em: EntityManager, viewerId: string | null, trackId: string): Promise<Track> {
    const track = await this.#owned(em, viewerId, trackId);
    await em.nativeDelete(Track, { id: track.id });
    // Files go after the row: a failure here leaves unreachable objects, never a track without files.
    await this.#store.remove(track.originalKey).catch(() => undefined);
    if (track.renditionsPrefix) await this.#store.removePrefix(track.renditionsPrefix).catch(() => undefined);
    await this.#store.removePrefix(effectsPrefix(track.id)).catch(() => undefined);
    return track;
  }

  /** Whether `viewerId` may see `track`: its owner always; others once READY, PUBLIC or UNLISTED with the secret. */
  canSee(track: Track, viewerId: string | null, secretToken?: string | null): boolean {
    if (track.ownerId === viewerId) return true;
    if (track.status !== 'READY') return false;
    return track.visibility === 'PUBLIC' || (track.visibility === 'UNLISTED' && secretToken != null && secretToken === track.secretToken);
  }

  async find(em: EntityManager, id: string, viewerId: string | null, secretToken?: string | null): Promise<Track | null> {
    if (!isUuid(id)) return null;
    const track = await em.findOne(Track, { id });
    return track && this.canSee(track, viewerId, secretToken) ? track : null;
  }

  async ofOwner(em: EntityManager, ownerId: string, viewerId: string | null, args: PageArgs): Promise<Connection<Track>> {
    const page = toPage(idCursor, args);
    // Newest first: "after" a cursor means older ids.
    const { range } = keysetWhere({ ...page, after: page.before, before: page.after });
    const rows = await em.find(
      Track,
      { ownerId, ...(range ? { id: range } : {}), ...(ownerId === viewerId ? {} : { visibility: 'PUBLIC', status: 'READY' }) },
      { orderBy: { id: 'desc' }, limit: page.limit },
    );
    return toConnection(rows, page, idCursor, (t) => t.id);
  }

  /** Flushes a change of status, with its processing event in the same transaction. */
  async #flushWithStep(em: EntityManager, track: Track): Promise<void> {
    addToOutbox(em, this.#events.processing({ trackId: track.id, status: track.status, progress: track.processingProgress ?? null, failureReason: track.failureReason ?? null, renditionsComplete: track.renditionsComplete }));
    await em.flush();
    this.#published();
  }

  async #owned(em: EntityManager, viewerId: string | null, trackId: string): Promise<Track> {
    if (!viewerId) throw unauthenticated();
    const track = isUuid(trackId) ? await em.findOne(Track, { id: trackId }) : null;
    if (!track || (track.ownerId !== viewerId && !this.canSee(track, viewerId))) throw notFound('Track', trackId);
    if (track.ownerId !== viewerId) throw forbidden('Only the owner can change this track.');
    return track;
  }
}
