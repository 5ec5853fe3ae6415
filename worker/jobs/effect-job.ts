/**
 * An effect render job: download the track's original, render it through the chain
 * (pipeline/effects.ts), upload the MP3 under the track's effects, report it. Audio that
 * does not decode fails the render with the reason; anything else throws and the queue
 * retries. A re-run writes the same key.
 */
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningJob } from '../../platform/queue/queue.ts';
import { effectsPrefix, type EffectJobPayload } from '../../subgraphs/media/services/effect-renders.ts';
import { renderEffect } from '../pipeline/effects.ts';
import { UndecodableAudioError } from '../pipeline/probe.ts';
import { download } from './download.ts';
import { scratchDir } from './scratch.ts';
import type { TranscodeJobDeps } from './transcode-job.ts';

const FINISH = /* GraphQL */ `mutation FinishEffect($renderId: ID!, $manifest: String!) { finishEffectRender(renderId: $renderId, manifest: $manifest) }`;
const FAIL = /* GraphQL */ `mutation FailEffect($renderId: ID!, $reason: String!) { failEffectRender(renderId: $renderId, reason: $reason) }`;

export async function handleEffectJob(job: RunningJob<EffectJobPayload>, deps: TranscodeJobDeps): Promise<void> {
  const { renderId, trackId } = job.payload;
  const dir = scratchDir(deps.workDir, `effect-${renderId}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  try {
    const original = join(dir, 'original');
    await download(deps.store, job.payload.originalKey, original);
    const output = join(dir, 'render.mp3');
    let durationSeconds: number;
    try {
      ({ durationSeconds } = await renderEffect(original, output, job.payload));
    } catch (err) {
      if (!(err instanceof UndecodableAudioError)) throw err;
      await deps.internal.query('media', FAIL, { renderId, reason: err.message });
      return;
    }
    const key = `${effectsPrefix(trackId)}${renderId}.mp3`;
    const { size } = await stat(output);
    await deps.store.put(key, createReadStream(output), size, 'audio/mpeg');
    await deps.internal.query('media', FINISH, { renderId, manifest: JSON.stringify({ key, byteSize: size, durationSeconds }) });
    await job.progress(1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
