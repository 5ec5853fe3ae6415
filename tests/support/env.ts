/** Where the suite finds the machine's real PostgreSQL and Redis. */
export const TEST_PG_URL = process.env['VEZA_TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env['VEZA_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
