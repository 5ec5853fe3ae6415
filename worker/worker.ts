/**
 * Starts taking jobs from the queues: transcodes, and effect renders (the same tools, so
 * the same worker). Returns a function that stops both, letting running jobs finish.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlatformServices } from '../platform/subgraph/module.ts';
import { EFFECT_QUEUE, type EffectJobPayload } from '../subgraphs/media/services/effect-renders.ts';
import { TRANSCODE_QUEUE, type TranscodeJobPayload } from '../subgraphs/media/services/tracks.ts';
import { handleEffectJob } from './jobs/effect-job.ts';
import { sweepScratch } from './jobs/scratch.ts';
import { handleTranscodeJob, type TranscodeJobDeps } from './jobs/transcode-job.ts';

export async function startTranscodeWorker(platform: PlatformServices, opts: { concurrency: number; workDir?: string }): Promise<() => Promise<void>> {
  const deps: TranscodeJobDeps = {
    store: platform.store,
    internal: platform.internal,
    workDir: opts.workDir ?? join(tmpdir(), 'veza-transcode'),
    logger: platform.logger.child({ component: 'transcoder' }),
  };
  const swept = await sweepScratch(deps.workDir);
  if (swept.length) deps.logger.info({ folders: swept.length }, 'removed scratch folders of dead workers');
  const stopTranscodes = await platform.jobs.process<TranscodeJobPayload>(TRANSCODE_QUEUE, (job) => handleTranscodeJob(job, deps), { concurrency: opts.concurrency });
  // One render at a time: they are short, and transcodes (what uploaders wait for) come first.
  const stopEffects = await platform.jobs.process<EffectJobPayload>(EFFECT_QUEUE, (job) => handleEffectJob(job, deps), { concurrency: 1 });
  return async () => {
    await Promise.all([stopTranscodes(), stopEffects()]);
  };
}
