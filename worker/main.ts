/**
 * `npm run start:worker`: the transcoding worker in its own process (production: REDIS_URL
 * for the BullMQ queue, S3_* for the object store, MEDIA_URL and GATEWAY_SECRET to report
 * results to the media subgraph).
 */
import { bootConfig, startupFailed, stopOnSignals } from '../platform/process.ts';
import { startPlatform } from '../platform/runtime.ts';
import { startTranscodeWorker } from './worker.ts';

const { config, logger } = bootConfig('worker');
try {
  const platform = await startPlatform(config, logger, { needsSigningKey: false });
  const stop = await startTranscodeWorker(platform.services, { concurrency: config.workerConcurrency });
  logger.info({ concurrency: config.workerConcurrency }, 'transcoding worker ready');
  stopOnSignals(logger, async () => {
    await stop();
    await platform.stop();
  });
} catch (err) {
  startupFailed(logger, err);
}
