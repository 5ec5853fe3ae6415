/** Fails fast, with the fix, when the PostgreSQL or Redis the suite needs is not answering. */
import pg from 'pg';
import { Redis } from 'ioredis';
import { TEST_PG_URL, TEST_REDIS_URL } from './env.ts';

export default async function setup(): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    throw new Error(`PostgreSQL is not answering at ${TEST_PG_URL} (${String(err)}). Start it, or set VEZA_TEST_DATABASE_URL.`);
  } finally {
    await client.end().catch(() => {});
  }
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`Redis is not answering at ${TEST_REDIS_URL} (${String(err)}). Start it, or set VEZA_TEST_REDIS_URL.`);
  } finally {
    redis.disconnect();
  }
}
