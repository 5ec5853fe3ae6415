/**
 * Durable background jobs (transcoding...). Two implementations behind one interface:
 * BullMQ on Redis in production, and a table in PostgreSQL for the embedded profile,
 * which has no Redis. Both give the same guarantees:
 *
 * - a job is identified by the caller (`jobId`): enqueuing the same id again is a no-op,
 *   so a double click or a retried request never makes two jobs;
 * - a job that throws is retried with exponential backoff, up to `attempts` times, then
 *   kept as failed ("dead letter") with its last error;
 * - a job whose worker dies is picked up again once its lease expires (BullMQ: stalled
 *   job detection), so jobs survive crashes and restarts.
 *
 * Handlers must be idempotent: a crash between finishing the work and recording it means
 * the job runs again.
 */
export interface EnqueueOptions {
  /** The job's identity; enqueuing an id that exists already does nothing. */
  jobId: string;
  /** Tries before the job is dead-lettered. Default 5. */
  attempts?: number;
  /** First retry delay; doubled each time. Default 2,000 ms. */
  backoffMs?: number;
}

export interface RunningJob<P> {
  id: string;
  payload: P;
  /** 1 for the first try. */
  attempt: number;
  /** Reports progress (0..1); also proves the worker is alive. */
  progress(fraction: number): Promise<void>;
}

export interface DeadJob {
  id: string;
  attempts: number;
  error: string;
}

export interface ProcessOptions {
  /** Jobs run at once by this process. */
  concurrency: number;
}

export type JobHandler<P> = (job: RunningJob<P>) => Promise<void>;

export interface JobQueue {
  enqueue<P>(queue: string, payload: P, opts: EnqueueOptions): Promise<{ created: boolean }>;
  /** Starts taking jobs of `queue`; the returned function stops, letting running jobs finish. */
  process<P>(queue: string, handler: JobHandler<P>, opts: ProcessOptions): Promise<() => Promise<void>>;
  /** Jobs that used all their attempts, newest first. */
  deadLetters(queue: string, limit?: number): Promise<DeadJob[]>;
  close(): Promise<void>;
}

export const DEFAULT_ATTEMPTS = 5;
export const DEFAULT_BACKOFF_MS = 2000;
