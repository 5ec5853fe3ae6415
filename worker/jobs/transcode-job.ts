/**
 * A transcoding job, end to end: download the original, check it is what the uploader
 * declared (size, SHA-256), transcode, upload the renditions, and report to the media
 * subgraph. What the file itself makes impossible (wrong checksum, not audio) fails the
 * track at once with the reason; anything else (store or network trouble) throws, and the
 * queue retries with backoff. Re-running is harmless: renditions go to fixed keys, and
 * objects of an earlier attempt that this one did not write are removed.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../../platform/logger.ts';
import type { RunningJob } from '../../platform/queue/queue.ts';
import type { ObjectStore } from '../../platform/storage/object-store.ts';
import type { InternalClient } from '../../platform/subgraph/internal-client.ts';
import type { TranscodeJobPayload } from '../../subgraphs/media/services/tracks.ts';
import { UndecodableAudioError } from '../pipeline/probe.ts';
import { transcodeTrack, type OutputFile, type TranscodeResult } from '../pipeline/transcode.ts';

export interface TranscodeJobDeps {
  store: ObjectStore;
  internal: InternalClient;
  /** Scratch space for downloads and outputs. */
  workDir: string;
  logger: Logger;
}

const FINISH = /* GraphQL */ `mutation Finish($trackId: ID!, $manifest: String!) { finishTranscode(trackId: $trackId, manifest: $manifest) }`;
const FAIL = /* GraphQL */ `mutation Fail($trackId: ID!, $reason: String!) { failTranscode(trackId: $trackId, reason: $reason) }`;
const PROGRESS = /* GraphQL */ `mutation Progress($trackId: ID!, $progress: Float!) { reportTranscodeProgress(trackId: $trackId, progress: $progress) }`;

/** Where a track's renditions live in the object store. */
export const renditionsPrefix = (trackId: string): string => `tracks/${trackId}/renditions/`;

export async function handleTranscodeJob(job: RunningJob<TranscodeJobPayload>, deps: TranscodeJobDeps): Promise<void> {
  const { trackId } = job.payload;
  const dir = join(deps.workDir, `${trackId}-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  try {
    const original = join(dir, 'original');
    const { size, sha256 } = await download(deps.store, job.payload.originalKey, original);
    if (size !== job.payload.byteSize) return await fail(deps, trackId, `The uploaded file is ${size} bytes, not the ${job.payload.byteSize} declared.`);
    if (sha256 !== job.payload.sha256) return await fail(deps, trackId, 'The uploaded file does not match its declared SHA-256 checksum.');
    let lastReported = 0;
    let result: TranscodeResult;
    try {
      result = await transcodeTrack({
        input: original,
        outputDir: join(dir, 'out'),
        onProgress: (fraction) => {
          // At most every 10 %: progress is for people watching, not a log.
          if (fraction - lastReported < 0.1) return;
          lastReported = fraction;
          void job.progress(fraction * 0.9).catch(() => undefined);
          void deps.internal.query('media', PROGRESS, { trackId, progress: fraction * 0.9 }).catch(() => undefined);
        },
      });
    } catch (err) {
      if (err instanceof UndecodableAudioError) return await fail(deps, trackId, err.message);
      throw err;
    }
    const prefix = renditionsPrefix(trackId);
    await upload(deps.store, join(dir, 'out'), prefix, result.files);
    await deps.internal.query('media', FINISH, { trackId, manifest: JSON.stringify(manifestFor(result, prefix)) });
    await job.progress(1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function fail(deps: TranscodeJobDeps, trackId: string, reason: string): Promise<void> {
  deps.logger.info({ trackId, reason }, 'track failed');
  await deps.internal.query('media', FAIL, { trackId, reason });
}

async function download(store: ObjectStore, key: string, path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(await store.get(key), meter, createWriteStream(path));
  return { size, sha256: hash.digest('hex') };
}

async function upload(store: ObjectStore, dir: string, prefix: string, files: readonly OutputFile[]): Promise<void> {
  const keys = new Set(files.map((f) => `${prefix}${f.path}`));
  // A few at a time: segments are small and many.
  const queue = [...files];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let f = queue.shift(); f; f = queue.shift()) {
        await store.put(`${prefix}${f.path}`, createReadStream(join(dir, f.path)), f.byteSize, f.contentType);
      }
    }),
  );
  // Objects from an earlier attempt that this one did not produce.
  const stale = (await store.list(prefix)).filter((k) => !keys.has(k));
  if (stale.length) await store.client.removeObjects(store.bucket, stale);
}

function manifestFor(result: TranscodeResult, prefix: string) {
  return {
    durationSeconds: result.probe.durationSeconds,
    loudness: { integratedLufs: result.loudness.integratedLufs, rangeLu: result.loudness.rangeLu, truePeakDbtp: result.loudness.truePeakDbtp },
    waveform: result.waveform,
    features: {
      loudnessRangeLu: result.loudness.rangeLu,
      sourceCodec: result.probe.codec,
      sampleRate: result.probe.sampleRate,
      channels: result.probe.channels,
      lossless: result.probe.lossless,
      tags: result.probe.tags,
    },
    renditionsPrefix: prefix,
    artworkKey: result.files.some((f) => f.kind === 'ARTWORK') ? `${prefix}artwork.jpg` : null,
    renditions: result.files
      .filter((f): f is OutputFile & { kind: 'HLS_MASTER' | 'HLS_VARIANT' | 'MP3' | 'FLAC' } => f.kind !== 'HLS_SEGMENT' && f.kind !== 'ARTWORK')
      .map((f) => ({ key: `${prefix}${f.path}`, kind: f.kind, codec: f.codec ?? 'hls', bitrateKbps: f.bitrateKbps, contentType: f.contentType, byteSize: f.byteSize })),
  };
}
