/**
 * A transcoding job, end to end: download the original, check it is what the uploader
 * declared (size, SHA-256), make the first variant and publish it (the track becomes
 * READY: playable), then the rest of the ladder, published when complete. What the file
 * itself makes impossible (wrong checksum, not audio) fails the track at once with the
 * reason; anything else (store or network trouble) throws, and the queue retries with
 * backoff. Re-running is harmless at any point (publish.ts): renditions go to fixed keys,
 * a playable track stays playable, and leftovers of an earlier attempt are removed once
 * the whole set is in place.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../platform/logger.ts';
import type { RunningJob } from '../../platform/queue/queue.ts';
import type { ObjectStore } from '../../platform/storage/object-store.ts';
import type { InternalClient } from '../../platform/subgraph/internal-client.ts';
import type { TranscodeJobPayload } from '../../subgraphs/media/services/tracks.ts';
import { UndecodableAudioError } from '../pipeline/probe.ts';
import { encodeLadder, finishLadder, preparePlayable, type PreparedTrack } from '../pipeline/transcode.ts';
import { download } from './download.ts';
import { scratchDir } from './scratch.ts';
import { publishComplete, publishPlayable } from './publish.ts';

export { renditionsPrefix } from './publish.ts';

export interface TranscodeJobDeps {
  store: ObjectStore;
  internal: InternalClient;
  /** Scratch space for downloads and outputs. */
  workDir: string;
  logger: Logger;
}

const FAIL = /* GraphQL */ `mutation Fail($trackId: ID!, $reason: String!) { failTranscode(trackId: $trackId, reason: $reason) }`;
const PROGRESS = /* GraphQL */ `mutation Progress($trackId: ID!, $progress: Float!) { reportTranscodeProgress(trackId: $trackId, progress: $progress) }`;

/** Progress at which the track becomes playable: phase 1 reports up to it, phase 2 from it. */
const PLAYABLE_AT = 0.4;

export async function handleTranscodeJob(job: RunningJob<TranscodeJobPayload>, deps: TranscodeJobDeps): Promise<void> {
  const { trackId } = job.payload;
  const dir = scratchDir(deps.workDir, trackId);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  try {
    const original = join(dir, 'original');
    const { size, sha256 } = await download(deps.store, job.payload.originalKey, original);
    if (size !== job.payload.byteSize) return await fail(deps, trackId, `The uploaded file is ${size} bytes, not the ${job.payload.byteSize} declared.`);
    if (sha256 !== job.payload.sha256) return await fail(deps, trackId, 'The uploaded file does not match its declared SHA-256 checksum.');
    const progress = progressReporter(job, deps);
    let prepared: PreparedTrack;
    try {
      prepared = await preparePlayable({ input: original, dir: join(dir, 'out'), onProgress: (f) => progress(f * PLAYABLE_AT) });
    } catch (err) {
      if (err instanceof UndecodableAudioError) return await fail(deps, trackId, err.message);
      throw err;
    }
    // The rest of the ladder starts at once, on the cores publishing leaves idle (its encodes run nicer).
    const ladder = encodeLadder(prepared, { onProgress: (f) => progress(PLAYABLE_AT + f * (0.99 - PLAYABLE_AT)) });
    try {
      await publishPlayable(deps, trackId, prepared);
    } catch (err) {
      await ladder.catch(() => undefined);
      throw err;
    }
    await publishComplete(deps, trackId, await finishLadder(prepared, await ladder), prepared.files);
    await job.progress(1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Reports progress to the queue and the media subgraph at most every 10 %, never backwards. */
function progressReporter(job: RunningJob<TranscodeJobPayload>, deps: TranscodeJobDeps): (fraction: number) => void {
  let last = 0;
  return (fraction) => {
    // Progress is for people watching, not a log.
    if (fraction - last < 0.1) return;
    last = fraction;
    void job.progress(fraction).catch(() => undefined);
    void deps.internal.query('media', PROGRESS, { trackId: job.payload.trackId, progress: fraction }).catch(() => undefined);
  };
}

async function fail(deps: TranscodeJobDeps, trackId: string, reason: string): Promise<void> {
  deps.logger.info({ trackId, reason }, 'track failed');
  await deps.internal.query('media', FAIL, { trackId, reason });
}
