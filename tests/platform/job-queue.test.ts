/**
 * The job queue contract, on both implementations (PostgreSQL table, BullMQ on Redis):
 * idempotent job ids, retries with backoff, dead letters, and recovery of a job whose
 * worker process was killed.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobQueue } from '../../platform/queue/queue.ts';
import { createTestDatabase, TEST_REDIS_URL, uniqueName, type TestDatabase } from '../support/index.ts';
import { makeQueue } from './fixtures/queues.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/hanging-worker.ts', import.meta.url));

describe.each(['sql', 'bullmq'] as const)('%s job queue', (kind) => {
  let db: TestDatabase;
  let url: string;
  const prefix = uniqueName('veza-test-jobs');
  const opened: JobQueue[] = [];
  const open = () => {
    const q = makeQueue(kind, url, prefix);
    opened.push(q);
    return q;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    url = kind === 'sql' ? db.url : TEST_REDIS_URL;
  });
  afterAll(async () => {
    for (const q of opened) await q.close();
    await db.drop();
    if (kind === 'bullmq') {
      const r = new Redis(TEST_REDIS_URL);
      const keys = await r.keys(`${prefix}*`);
      if (keys.length) await r.del(...keys);
      r.disconnect();
    }
  });

  it('runs a job once however often it is enqueued', async () => {
    const q = open();
    const name = uniqueName('once');
    const runs: number[] = [];
    expect(await q.enqueue(name, { n: 1 }, { jobId: 'job-1' })).toEqual({ created: true });
    expect(await q.enqueue(name, { n: 2 }, { jobId: 'job-1' })).toEqual({ created: false });
    await q.process<{ n: number }>(name, async (job) => void runs.push(job.payload.n), { concurrency: 2 });
    await expect.poll(() => runs).toEqual([1]);
    expect(await q.enqueue(name, { n: 3 }, { jobId: 'job-1' })).toEqual({ created: false });
  });

  it('retries a failing job with backoff, then dead-letters it with the reason', async () => {
    const q = open();
    const name = uniqueName('retry');
    const attempts: Record<string, number[]> = { flaky: [], broken: [] };
    await q.enqueue(name, { id: 'flaky' }, { jobId: 'flaky', attempts: 3, backoffMs: 20 });
    await q.enqueue(name, { id: 'broken' }, { jobId: 'broken', attempts: 2, backoffMs: 20 });
    await q.process<{ id: 'flaky' | 'broken' }>(
      name,
      async (job) => {
        attempts[job.payload.id]!.push(job.attempt);
        if (job.payload.id === 'broken' || job.attempt < 3) throw new Error(`no luck on try ${job.attempt}`);
      },
      { concurrency: 1 },
    );
    await expect.poll(() => attempts['flaky']!, { timeout: 20_000 }).toEqual([1, 2, 3]);
    await expect.poll(() => q.deadLetters(name), { timeout: 20_000 }).toEqual([{ id: 'broken', attempts: 2, error: 'no luck on try 2' }]);
    expect(attempts['broken']).toEqual([1, 2]);
  });

  it('gives a job whose worker process was killed to another worker', async () => {
    const q = open();
    const name = uniqueName('crash');
    await q.enqueue(name, { n: 7 }, { jobId: 'survivor' });
    const child = spawn(process.execPath, [FIXTURE, kind, name, url, prefix], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('claimed survivor 1')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`worker exited early (${code}): ${out}`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const seen: number[] = [];
    await q.process<{ n: number }>(name, async (job) => void seen.push(job.attempt), { concurrency: 1 });
    await expect.poll(() => seen, { timeout: 20_000 }).toEqual([2]);
  });
});
