/**
 * The embedded profile's job queue: one PostgreSQL table (works on PGlite too). Claiming
 * is a single `UPDATE … RETURNING` over `FOR UPDATE SKIP LOCKED`, so concurrent workers
 * never take the same job; a running job holds a lease it renews while alive, and an
 * expired lease (a crashed worker) makes the job claimable again.
 */
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_MS, type DeadJob, type EnqueueOptions, type JobHandler, type JobQueue, type ProcessOptions } from './queue.ts';

export interface SqlJobQueueOptions {
  databaseUrl: string;
  logger?: Logger;
  /** How long a claimed job stays reserved without a sign of life. Default 30 s. */
  leaseMs?: number;
  /** How often an idle worker looks for jobs. Default 500 ms (enqueues in this process wake it at once). */
  pollMs?: number;
}

const SCHEMA_SQL = [
  'create schema if not exists veza_jobs',
  `create table if not exists veza_jobs.jobs (
     queue text not null,
     id text not null,
     payload jsonb not null,
     state text not null default 'waiting',
     attempts_made int not null default 0,
     max_attempts int not null,
     backoff_ms int not null,
     run_at timestamptz not null default now(),
     locked_until timestamptz,
     progress real not null default 0,
     last_error text,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     primary key (queue, id))`,
  `create index if not exists jobs_ready_index on veza_jobs.jobs (queue, run_at) where state in ('waiting', 'active')`,
];

export class SqlJobQueue implements JobQueue {
  readonly #pool: pg.Pool;
  readonly #logger: Logger | undefined;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #wakers = new Map<string, Set<() => void>>();
  readonly #stops = new Set<() => Promise<void>>();
  #ready: Promise<void> | undefined;

  constructor(opts: SqlJobQueueOptions) {
    this.#pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 4 });
    this.#logger = opts.logger;
    this.#leaseMs = opts.leaseMs ?? 30_000;
    this.#pollMs = opts.pollMs ?? 500;
  }

  #init(): Promise<void> {
    this.#ready ??= (async () => {
      for (const sql of SCHEMA_SQL) await this.#pool.query(sql);
    })();
    return this.#ready;
  }

  async enqueue<P>(queue: string, payload: P, opts: EnqueueOptions): Promise<{ created: boolean }> {
    await this.#init();
    const res = await this.#pool.query(
      `insert into veza_jobs.jobs (queue, id, payload, max_attempts, backoff_ms) values ($1, $2, $3, $4, $5)
       on conflict (queue, id) do nothing`,
      [queue, opts.jobId, JSON.stringify(payload), opts.attempts ?? DEFAULT_ATTEMPTS, opts.backoffMs ?? DEFAULT_BACKOFF_MS],
    );
    for (const wake of this.#wakers.get(queue) ?? []) wake();
    return { created: (res.rowCount ?? 0) > 0 };
  }

  async process<P>(queue: string, handler: JobHandler<P>, opts: ProcessOptions): Promise<() => Promise<void>> {
    await this.#init();
    let running = true;
    let wake: () => void = () => {};
    const wakers = this.#wakers.get(queue) ?? new Set();
    this.#wakers.set(queue, wakers);
    const loops = Array.from({ length: opts.concurrency }, () =>
      (async () => {
        while (running) {
          const job = await this.#claim(queue).catch((err: unknown) => {
            this.#logger?.error({ err, queue }, 'claiming a job failed');
            return undefined;
          });
          if (!job) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, this.#pollMs);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
              wakers.add(wake);
            });
            wakers.delete(wake);
            continue;
          }
          await this.#run(queue, job, handler as JobHandler<unknown>);
        }
      })(),
    );
    const stop = async () => {
      running = false;
      for (const w of wakers) w();
      await Promise.all(loops);
    };
    this.#stops.add(stop);
    return async () => {
      this.#stops.delete(stop);
      await stop();
    };
  }

  async deadLetters(queue: string, limit = 100): Promise<DeadJob[]> {
    await this.#init();
    const { rows } = await this.#pool.query<{ id: string; attempts_made: number; last_error: string | null }>(
      `select id, attempts_made, last_error from veza_jobs.jobs where queue = $1 and state = 'failed' order by updated_at desc limit $2`,
      [queue, limit],
    );
    return rows.map((r) => ({ id: r.id, attempts: r.attempts_made, error: r.last_error ?? '' }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.#stops].map((s) => s()));
    await this.#pool.end();
  }

  async #claim(queue: string): Promise<{ id: string; payload: unknown; attempt: number; maxAttempts: number; backoffMs: number } | undefined> {
    const { rows } = await this.#pool.query<{ id: string; payload: unknown; attempts_made: number; max_attempts: number; backoff_ms: number }>(
      `update veza_jobs.jobs set state = 'active', attempts_made = attempts_made + 1,
              locked_until = now() + ($2 || ' milliseconds')::interval, updated_at = now()
        where (queue, id) = (
          select queue, id from veza_jobs.jobs
           where queue = $1 and ((state = 'waiting' and run_at <= now()) or (state = 'active' and locked_until < now()))
           order by run_at, id limit 1 for update skip locked)
        returning id, payload, attempts_made, max_attempts, backoff_ms`,
      [queue, String(this.#leaseMs)],
    );
    const r = rows[0];
    return r ? { id: r.id, payload: r.payload, attempt: r.attempts_made, maxAttempts: r.max_attempts, backoffMs: r.backoff_ms } : undefined;
  }

  async #run(queue: string, job: { id: string; payload: unknown; attempt: number; maxAttempts: number; backoffMs: number }, handler: JobHandler<unknown>): Promise<void> {
    const renew = setInterval(() => {
      void this.#pool
        .query(`update veza_jobs.jobs set locked_until = now() + ($3 || ' milliseconds')::interval where queue = $1 and id = $2 and state = 'active'`, [queue, job.id, String(this.#leaseMs)])
        .catch(() => undefined);
    }, Math.max(50, Math.floor(this.#leaseMs / 3)));
    try {
      await handler({
        id: job.id,
        payload: job.payload,
        attempt: job.attempt,
        progress: async (fraction) => {
          await this.#pool.query(
            `update veza_jobs.jobs set progress = $3, locked_until = now() + ($4 || ' milliseconds')::interval where queue = $1 and id = $2`,
            [queue, job.id, Math.min(1, Math.max(0, fraction)), String(this.#leaseMs)],
          );
        },
      });
      await this.#pool.query(`update veza_jobs.jobs set state = 'completed', progress = 1, locked_until = null, updated_at = now() where queue = $1 and id = $2`, [queue, job.id]);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const dead = job.attempt >= job.maxAttempts;
      this.#logger?.warn({ err, queue, jobId: job.id, attempt: job.attempt, dead }, dead ? 'job failed for good' : 'job failed; will retry');
      await this.#pool.query(
        `update veza_jobs.jobs set state = $3, last_error = $4, locked_until = null, updated_at = now(),
                run_at = now() + ($5 || ' milliseconds')::interval where queue = $1 and id = $2`,
        [queue, job.id, dead ? 'failed' : 'waiting', message.slice(0, 2000), String(job.backoffMs * 2 ** (job.attempt - 1))],
      );
    } finally {
      clearInterval(renew);
    }
  }
}
