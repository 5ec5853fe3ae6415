/** Starts taking transcoding jobs from the queue; returns a function that stops (letting running jobs finish). */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlatformServices } from '../platform/subgraph/module.ts';
import { TRANSCODE_QUEUE, type TranscodeJobPayload } from '../subgraphs/media/services/tracks.ts';
import { handleTranscodeJob } from './jobs/transcode-job.ts';

export async function startTranscodeWorker(platform: PlatformServices, opts: { concurrency: number; workDir?: string }): Promise<() => Promise<void>> {
  const logger = platform.logger.child({ component: 'transcoder' });
  return platform.jobs.process<TranscodeJobPayload>(
    TRANSCODE_QUEUE,
    (job) => handleTranscodeJob(job, { store: platform.store, internal: platform.internal, workDir: opts.workDir ?? join(tmpdir(), 'veza-transcode'), logger }),
    { concurrency: opts.concurrency },
  );
}
