/**
 * `node tools/schema-sql.ts <subgraph>`: prints the SQL that takes the subgraph's schema,
 * as its migrations leave it, to what its entities describe. Empty output means the
 * migrations are complete; otherwise the output is the body of the next migration.
 * Runs in a scratch database on DATABASE_URL's server (default: the local PostgreSQL).
 */
import pg from 'pg';
import { subgraphDefinitions } from '../subgraphs/definitions.ts';
import { SUBGRAPH_NAMES, type SubgraphName } from '../platform/config.ts';
import { pendingSchemaSql } from '../platform/db/schema-drift.ts';

const name = process.argv[2] as SubgraphName;
if (!SUBGRAPH_NAMES.includes(name)) {
  process.stderr.write(`usage: node tools/schema-sql.ts <${SUBGRAPH_NAMES.join('|')}>\n`);
  process.exit(2);
}
const base = process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const scratch = `veza_schema_sql_${process.pid}`;
const admin = new pg.Client({ connectionString: base });
await admin.connect();
await admin.query(`create database ${scratch}`);
try {
  const url = new URL(base);
  url.pathname = `/${scratch}`;
  const def = subgraphDefinitions[name];
  const sql = await pendingSchemaSql(url.toString(), name, def.entities, def.migrations);
  if (sql) process.stdout.write(`${sql}\n`);
} finally {
  await admin.query(`drop database if exists ${scratch} with (force)`);
  await admin.end();
}
