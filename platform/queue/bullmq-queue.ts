/**
 * Production job queue: BullMQ on Redis. Retries with exponential backoff, stalled-job
 * recovery when a worker dies, failed jobs kept as dead letters.
 */
import { Queue, Worker, type Job } from 'bullmq';
import type { Logger } from '../logger.ts';
import { DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_MS, type DeadJob, type EnqueueOptions, type JobHandler, type JobQueue, type ProcessOptions } from './queue.ts';

export interface BullJobQueueOptions {
  redisUrl: string;
  /** Key prefix (BullMQ's own `prefix`), e.g. `veza:jobs`. */
  prefix: string;
  logger?: Logger;
  /** How long a job may go without a sign of life before it counts as stalled. Default 30 s. */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs. Default 30 s. */
  stalledIntervalMs?: number;
}

export class BullJobQueue implements JobQueue {
  readonly #opts: BullJobQueueOptions;
  readonly #queues = new Map<string, Queue>();
  readonly #workers = new Set<Worker>();

  constructor(opts: BullJobQueueOptions) {
    this.#opts = opts;
  }

  #connection(): { url: string; maxRetriesPerRequest: null } {
    return { url: this.#opts.redisUrl, maxRetriesPerRequest: null };
  }

  #queue(name: string): Queue {
    let q = this.#queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.#connection(), prefix: this.#opts.prefix });
      this.#queues.set(name, q);
    }
    return q;
  }

  async enqueue<P>(queue: string, payload: P, opts: EnqueueOptions): Promise<{ created: boolean }> {
    const q = this.#queue(queue);
    const existing = await q.getJob(opts.jobId);
    if (existing) return { created: false };
    await q.add(queue, payload, {
      jobId: opts.jobId,
      attempts: opts.attempts ?? DEFAULT_ATTEMPTS,
      backoff: { type: 'exponential', delay: opts.backoffMs ?? DEFAULT_BACKOFF_MS },
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: false,
    });
    return { created: true };
  }

  async process<P>(queue: string, handler: JobHandler<P>, opts: ProcessOptions): Promise<() => Promise<void>> {
    const worker = new Worker(
      queue,
      async (job: Job) => {
        await handler({
          id: job.id ?? '',
          payload: job.data as P,
          // Counts every start, including one whose worker died (stalled), like the SQL queue.
          attempt: Math.max(job.attemptsStarted, job.attemptsMade + 1),
          progress: async (fraction) => {
            await job.updateProgress(Math.round(Math.min(1, Math.max(0, fraction)) * 1000) / 1000);
          },
        });
      },
      {
        connection: this.#connection(),
        prefix: this.#opts.prefix,
        concurrency: opts.concurrency,
        lockDuration: this.#opts.lockDurationMs ?? 30_000,
        stalledInterval: this.#opts.stalledIntervalMs ?? 30_000,
      },
    );
    worker.on('failed', (job, err) => this.#opts.logger?.warn({ err, queue, jobId: job?.id, attempts: job?.attemptsMade }, 'job failed'));
    worker.on('error', (err) => this.#opts.logger?.error({ err, queue }, 'queue worker error'));
    this.#workers.add(worker);
    await worker.waitUntilReady();
    return async () => {
      this.#workers.delete(worker);
      await worker.close();
    };
  }

  async deadLetters(queue: string, limit = 100): Promise<DeadJob[]> {
    const jobs = await this.#queue(queue).getFailed(0, limit - 1);
    return jobs.map((j) => ({ id: j.id ?? '', attempts: j.attemptsMade, error: j.failedReason }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.#workers].map((w) => w.close()));
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
  }
}
