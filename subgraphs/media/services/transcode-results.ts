/**
 * What the transcoding worker reports back: progress, the renditions (twice: the first
 * variant, which makes the track READY, then the whole set), or a failure. The worker
 * calls these through the media API (it owns no tables), and each is safe to receive
 * twice, or late: nothing here moves a track backwards.
 */
import { z } from 'zod';
import type { EntityManager } from '../../../platform/db/orm.ts';
import type { EventTopics } from '../../../platform/events/bus.ts';
import { addToOutbox } from '../../../platform/events/outbox.ts';
import { badInput, notFound } from '../../../platform/errors.ts';
import { isUuid } from '../../../platform/ids.ts';
import { Rendition, RENDITION_KINDS, Track } from '../entities/index.ts';
import type { TrackEvents } from './track-events.ts';
import { audioFeaturesSchema } from './audio-features.ts';

/** The worker's manifest, as media stores it. */
export const transcodeManifestSchema = z.object({
  /** false: the first variant, with which the track becomes playable; true: every rendition (what workers older than the two phases send). */
  complete: z.boolean().default(true),
  durationSeconds: z.number().positive(),
  loudness: z.object({ integratedLufs: z.number(), rangeLu: z.number(), truePeakDbtp: z.number() }),
  waveform: z.array(z.number().min(0).max(1)).max(10_000),
  /** With the complete set only. */
  features: audioFeaturesSchema.nullable(),
  renditionsPrefix: z.string().min(1).max(200),
  artworkKey: z.string().max(300).nullable(),
  renditions: z
    .array(
      z.object({
        key: z.string().min(1).max(300),
        kind: z.enum(RENDITION_KINDS),
        codec: z.string().min(1).max(32),
        bitrateKbps: z.number().int().positive().nullable(),
        contentType: z.string().min(1).max(100),
        byteSize: z.number().int().nonnegative(),
      }),
    )
    .min(1),
});
export type TranscodeManifest = z.infer<typeof transcodeManifestSchema>;

export class TranscodeResults {
  readonly #published: () => void;
  readonly #events: TrackEvents;

  /** `published` wakes the outbox relay after a commit that added events. */
  constructor(published: () => void, events: TrackEvents) {
    this.#published = published;
    this.#events = events;
  }

  /** Records progress while the track is PROCESSING, or READY with renditions still to come; never lower than before. */
  async progress(em: EntityManager, trackId: string, progress: number): Promise<boolean> {
    if (!isUuid(trackId)) return false;
    const fraction = Math.min(1, Math.max(0, progress));
    const lower = { $or: [{ processingProgress: null }, { processingProgress: { $lt: fraction } }] };
    const changed = await em.transactional(async (tx) => {
      for (const status of ['PROCESSING', 'READY'] as const) {
        const n = await tx.nativeUpdate(Track, { id: trackId, status, renditionsComplete: false, ...lower }, { processingProgress: fraction });
        if (n === 0) continue;
        addToOutbox(tx, this.#events.processing({ trackId, status, progress: fraction, failureReason: null, renditionsComplete: false }));
        return true;
      }
      return false;
    });
    if (changed) this.#published();
    return changed;
  }

  /**
   * Records renditions. The first variant makes a track READY, unless it is READY already
   * (an earlier attempt got this far, or further: what it recorded stays). The whole set
   * replaces whatever was recorded and completes the track; recorded twice, it is kept.
   */
  async finish(em: EntityManager, trackId: string, manifestJson: string): Promise<boolean> {
    let manifest: TranscodeManifest;
    try {
      manifest = transcodeManifestSchema.parse(JSON.parse(manifestJson));
    } catch (err) {
      throw badInput(`The manifest is not valid: ${err instanceof Error ? err.message : String(err)}`, 'manifest');
    }
    const track = isUuid(trackId) ? await em.findOne(Track, { id: trackId }) : null;
    if (!track) throw notFound('Track', trackId);
    if (track.status === 'READY' && (!manifest.complete || track.renditionsComplete)) return true;
    const progress = manifest.complete ? 1 : (track.processingProgress ?? 0);
    await em.transactional(async (tx) => {
      await tx.nativeDelete(Rendition, { track: trackId });
      for (const r of manifest.renditions) tx.create(Rendition, { track: trackId, ...r });
      await tx.nativeUpdate(
        Track,
        { id: trackId },
        {
          status: 'READY', failureReason: null, processingProgress: progress, renditionsComplete: manifest.complete,
          durationSeconds: manifest.durationSeconds, loudness: manifest.loudness, waveform: manifest.waveform,
          ...(manifest.features ? { features: manifest.features } : {}),
          renditionsPrefix: manifest.renditionsPrefix, artworkKey: manifest.artworkKey,
        },
      );
      const step = this.#events.processing({ trackId, status: 'READY', progress, failureReason: null, renditionsComplete: manifest.complete });
      // Published once, when the track first becomes playable.
      const payload: EventTopics['media.track.published'] = {
        trackId, ownerId: track.ownerId, title: track.title, description: track.description ?? null, visibility: track.visibility,
      };
      addToOutbox(tx, track.status === 'READY' ? step : [{ topic: 'media.track.published', payload }, ...step]);
    });
    this.#published();
    return true;
  }

  async fail(em: EntityManager, trackId: string, reason: string): Promise<boolean> {
    if (!isUuid(trackId)) return false;
    const failureReason = reason.slice(0, 1000);
    const changed = await em.transactional(async (tx) => {
      const n = await tx.nativeUpdate(Track, { id: trackId, status: { $ne: 'READY' } }, { status: 'FAILED', failureReason, processingProgress: null });
      if (n > 0) addToOutbox(tx, this.#events.processing({ trackId, status: 'FAILED', progress: null, failureReason, renditionsComplete: false }));
      return n > 0;
    });
    if (changed) this.#published();
    return changed;
  }
}
