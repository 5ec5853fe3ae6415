/** Rule: each subgraph's migrations create exactly the schema its entities describe. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBGRAPH_NAMES } from '../platform/config.ts';
import { pendingSchemaSql } from '../platform/db/schema-drift.ts';
import { subgraphDefinitions } from '../subgraphs/definitions.ts';
import { createTestDatabase, type TestDatabase } from './support/index.ts';

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.each(SUBGRAPH_NAMES)('%s: migrations leave nothing for the entities to add (run `node tools/new-migration.ts`)', async (name) => {
    const def = subgraphDefinitions[name];
    expect(await pendingSchemaSql(db.url, name, def.entities, def.migrations)).toBe('');
  });

  it('keeps each subgraph in its own PostgreSQL schema', async () => {
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ table_schema: string; table_name: string }>(
      `select table_schema, table_name from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')`,
    );
    await client.end();
    for (const row of rows) expect(SUBGRAPH_NAMES as readonly string[]).toContain(row.table_schema);
    expect(rows.some((r) => r.table_schema === 'chat' && r.table_name === 'messages')).toBe(true);
  });
});
