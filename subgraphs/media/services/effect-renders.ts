/**
 * Effect renders: a track's owner asks for it through an effect chain (tempo, pitch, an EQ
 * preset); the worker renders it from the original as a normalised MP3 (a job of its own
 * queue) and reports back. One render per track and chain; asking again returns it, or
 * starts over when it had failed.
 */
import { z } from 'zod';
import type { EntityManager } from '../../../platform/db/orm.ts';
import { badInput, forbidden, notFound, unauthenticated } from '../../../platform/errors.ts';
import { isUuid } from '../../../platform/ids.ts';
import type { JobQueue } from '../../../platform/queue/queue.ts';
import type { ObjectStore } from '../../../platform/storage/object-store.ts';
import { EffectRender, EQ_PRESETS, type EqPreset, type Track } from '../entities/index.ts';
import type { TrackService } from './tracks.ts';

/** The queue effect renders wait in; the transcoding worker takes them too. */
export const EFFECT_QUEUE = 'effect-render';

export interface EffectChain {
  /** Speed, pitch kept: 0.5 to 2. */
  tempo: number;
  /** Pitch shift, speed kept: −12 to 12 semitones. */
  pitchSemitones: number;
  eqPreset: EqPreset;
}

export interface EffectJobPayload extends EffectChain {
  renderId: string;
  trackId: string;
  originalKey: string;
}

/** Where a track's effect renders live in the object store (not under its renditions, which a transcode re-run tidies). */
export const effectsPrefix = (trackId: string): string => `tracks/${trackId}/effects/`;

/** What the worker reports when a render is done. */
export const effectManifestSchema = z.object({
  key: z.string().min(1).max(300),
  byteSize: z.number().int().positive(),
  durationSeconds: z.number().positive(),
});

export class EffectRenderService {
  readonly #tracks: TrackService;
  readonly #queue: JobQueue;
  readonly #store: ObjectStore;

  constructor(tracks: TrackService, queue: JobQueue, store: ObjectStore) {
    this.#tracks = tracks;
    this.#queue = queue;
    this.#store = store;
  }

  async request(em: EntityManager, viewerId: string | null, trackId: string, input: { tempo?: number | null; pitchSemitones?: number | null; eqPreset?: EqPreset | null }): Promise<EffectRender> {
    if (!viewerId) throw unauthenticated();
    const track = await this.#tracks.find(em, trackId, viewerId);
    if (!track) throw notFound('Track', trackId);
    if (track.ownerId !== viewerId) throw forbidden('Only the owner can render effects of this track.');
    if (track.status !== 'READY') throw badInput('The track is not playable yet; render effects once it is READY.', 'trackId');
    const chain = checkChain(input);
    const chainKey = `${chain.tempo}|${chain.pitchSemitones}|${chain.eqPreset}`;
    const existing = await em.findOne(EffectRender, { track: track.id, chainKey });
    if (existing && existing.status !== 'FAILED') return existing;
    // A failed render starts over as a new one (a new job: the failed job's id is taken).
    if (existing) await em.nativeDelete(EffectRender, { id: existing.id });
    const render = em.create(EffectRender, { track: track.id, chainKey, ...chain, status: 'PENDING', failureReason: null, key: null, byteSize: null, durationSeconds: null });
    await em.flush();
    const payload: EffectJobPayload = { renderId: render.id, trackId: track.id, originalKey: track.originalKey, ...chain };
    try {
      await this.#queue.enqueue(EFFECT_QUEUE, payload, { jobId: render.id, attempts: 3, backoffMs: 5000 });
    } catch (err) {
      await em.nativeDelete(EffectRender, { id: render.id });
      throw err;
    }
    return render;
  }

  /** The renders of these tracks, newest first (whether the viewer may see them is `rendersVisibleTo`). */
  ofTracks(em: EntityManager, trackIds: readonly string[]): Promise<EffectRender[]> {
    return em.find(EffectRender, { track: { $in: [...trackIds] } }, { orderBy: { id: 'desc' } });
  }

  /** A signed URL of a READY render. */
  url(render: EffectRender, ttlSeconds: number): Promise<string | null> {
    return render.status === 'READY' && render.key ? this.#store.presignGet(render.key, ttlSeconds) : Promise.resolve(null);
  }

  /** Records a finished render (internal: the worker); twice is harmless. */
  async finish(em: EntityManager, renderId: string, manifestJson: string): Promise<boolean> {
    let manifest: z.infer<typeof effectManifestSchema>;
    try {
      manifest = effectManifestSchema.parse(JSON.parse(manifestJson));
    } catch (err) {
      throw badInput(`The manifest is not valid: ${err instanceof Error ? err.message : String(err)}`, 'manifest');
    }
    const render = isUuid(renderId) ? await em.findOne(EffectRender, { id: renderId }) : null;
    if (!render) throw notFound('Effect render', renderId);
    if (!manifest.key.startsWith(effectsPrefix(render.track.id))) throw badInput('The render is not under its track\'s effects.', 'manifest');
    await em.nativeUpdate(EffectRender, { id: renderId }, { status: 'READY', failureReason: null, ...manifest });
    return true;
  }

  /** Records that a render failed for good (internal: the worker). */
  async fail(em: EntityManager, renderId: string, reason: string): Promise<boolean> {
    if (!isUuid(renderId)) return false;
    return (await em.nativeUpdate(EffectRender, { id: renderId, status: 'PENDING' }, { status: 'FAILED', failureReason: reason.slice(0, 1000) })) > 0;
  }
}

function checkChain(input: { tempo?: number | null; pitchSemitones?: number | null; eqPreset?: EqPreset | null }): EffectChain {
  const tempo = Math.round((input.tempo ?? 1) * 100) / 100;
  const pitchSemitones = Math.round((input.pitchSemitones ?? 0) * 10) / 10;
  const eqPreset = input.eqPreset ?? 'FLAT';
  if (!Number.isFinite(tempo) || tempo < 0.5 || tempo > 2) throw badInput('tempo is a speed from 0.5 to 2.', 'tempo');
  if (!Number.isFinite(pitchSemitones) || Math.abs(pitchSemitones) > 12) throw badInput('pitchSemitones is from −12 to 12.', 'pitchSemitones');
  if (!EQ_PRESETS.includes(eqPreset)) throw badInput('Unknown EQ preset.', 'eqPreset');
  if (tempo === 1 && pitchSemitones === 0 && eqPreset === 'FLAT') throw badInput('This effect chain changes nothing.', 'effect');
  return { tempo, pitchSemitones, eqPreset };
}

/** Whether `track`'s effect renders are for `viewerId` to see. */
export const rendersVisibleTo = (track: Track, viewerId: string | null): boolean => track.ownerId === viewerId;
