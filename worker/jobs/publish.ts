/**
 * Putting renditions in the object store, and telling the media subgraph, so that what a
 * player can reach is always whole:
 *
 * - a master playlist is uploaded after every variant it lists, and lists only variants
 *   whose files are all in the bucket;
 * - objects are never removed before the final master is in place, and then only those
 *   no playlist of it references (leftovers of an earlier attempt);
 * - keys are fixed (`tracks/<id>/renditions/...`), so a re-run overwrites with the same.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { ObjectStore } from '../../platform/storage/object-store.ts';
import type { InternalClient } from '../../platform/subgraph/internal-client.ts';
import type { TranscodeManifest } from '../../subgraphs/media/services/transcode-results.ts';
import { MASTER_PATH, type OutputFile } from '../pipeline/renditions.ts';
import type { LadderAnalysis, PreparedTrack, TranscodeResult } from '../pipeline/transcode.ts';

const FINISH = /* GraphQL */ `mutation Finish($trackId: ID!, $manifest: String!) { finishTranscode(trackId: $trackId, manifest: $manifest) }`;

/** Where a track's renditions live in the object store. */
export const renditionsPrefix = (trackId: string): string => `tracks/${trackId}/renditions/`;

export interface PublishDeps {
  store: ObjectStore;
  internal: InternalClient;
}

/**
 * Phase 1's files, then the track becomes playable. A master already in the bucket (an
 * earlier attempt's) is left as it is: it lists only variants uploaded in full, which stay
 * until this attempt's final master replaces it, so keeping it hides nothing playable.
 */
export async function publishPlayable(deps: PublishDeps, trackId: string, track: PreparedTrack): Promise<void> {
  const prefix = renditionsPrefix(trackId);
  const dir = track.dir;
  const master = track.files.find((f) => f.path === MASTER_PATH)!;
  await putAll(deps.store, dir, prefix, track.files.filter((f) => f !== master));
  const existing = await deps.store.stat(`${prefix}${MASTER_PATH}`);
  if (!existing) await putAll(deps.store, dir, prefix, [master]);
  const listed = existing ? { ...master, byteSize: existing.size } : master;
  await finish(deps, trackId, manifestFor(trackId, track, [...track.files.filter((f) => f !== master), listed], null));
}

/** The rest of the renditions (phase 1's are in place), the master of the whole ladder last; then leftovers go, and the track is complete. */
export async function publishComplete(deps: PublishDeps, trackId: string, result: TranscodeResult, already: readonly OutputFile[]): Promise<void> {
  const prefix = renditionsPrefix(trackId);
  const done = new Set(already.filter((f) => f.path !== MASTER_PATH).map((f) => f.path));
  const master = result.files.find((f) => f.path === MASTER_PATH)!;
  await putAll(deps.store, result.dir, prefix, result.files.filter((f) => f !== master && !done.has(f.path)));
  await putAll(deps.store, result.dir, prefix, [master]);
  const keys = new Set(result.files.map((f) => `${prefix}${f.path}`));
  const stale = (await deps.store.list(prefix)).filter((k) => !keys.has(k));
  if (stale.length) await deps.store.client.removeObjects(deps.store.bucket, stale);
  await finish(deps, trackId, manifestFor(trackId, result, result.files, result));
}

async function putAll(store: ObjectStore, dir: string, prefix: string, files: readonly OutputFile[]): Promise<void> {
  // A few at a time: segments are small and many.
  const queue = [...files];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let f = queue.shift(); f; f = queue.shift()) {
        await store.put(`${prefix}${f.path}`, createReadStream(join(dir, f.path)), f.byteSize, f.contentType);
      }
    }),
  );
}

async function finish(deps: PublishDeps, trackId: string, manifest: TranscodeManifest): Promise<void> {
  await deps.internal.query('media', FINISH, { trackId, manifest: JSON.stringify(manifest) });
}

/** The manifest of what phase 1 made (`analysis` null), or of the complete set with what phase 2 measured. */
function manifestFor(trackId: string, track: PreparedTrack, files: readonly OutputFile[], analysis: LadderAnalysis | null): TranscodeManifest {
  const prefix = renditionsPrefix(trackId);
  const { probe, loudness, tempo } = track;
  const spectral = analysis?.spectral ?? null;
  return {
    complete: analysis !== null,
    durationSeconds: probe.durationSeconds,
    loudness: { integratedLufs: loudness.integratedLufs, rangeLu: loudness.rangeLu, truePeakDbtp: loudness.truePeakDbtp },
    waveform: track.waveform,
    features: analysis
      ? {
          loudnessRangeLu: loudness.rangeLu,
          tempoBpm: tempo.bpm,
          tempoConfidence: tempo.confidence,
          spectralCentroidHz: spectral?.centroidHz ?? null,
          spectralRolloffHz: spectral?.rolloffHz ?? null,
          spectralFlatness: spectral?.flatness ?? null,
          sourceCodec: probe.codec, sampleRate: probe.sampleRate, channels: probe.channels, lossless: probe.lossless, tags: probe.tags,
        }
      : null,
    renditionsPrefix: prefix,
    artworkKey: files.some((f) => f.kind === 'ARTWORK') ? `${prefix}artwork.jpg` : null,
    renditions: files
      .filter((f): f is OutputFile & { kind: 'HLS_MASTER' | 'HLS_VARIANT' | 'MP3' | 'FLAC' } => f.kind !== 'HLS_SEGMENT' && f.kind !== 'ARTWORK')
      .map((f) => ({ key: `${prefix}${f.path}`, kind: f.kind, codec: f.codec ?? 'hls', bitrateKbps: f.bitrateKbps, contentType: f.contentType, byteSize: f.byteSize })),
  };
}
