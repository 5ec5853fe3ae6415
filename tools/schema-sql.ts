/**
 * `node tools/schema-sql.ts <subgraph>`: prints the SQL that takes the subgraph's schema,
 * as its migrations leave it, to what its entities describe. Empty output means the
 * migrations are complete; otherwise the output is the body of the next migration.
 * Runs against DATABASE_URL (default: the local PostgreSQL), in a scratch database.
 */
import { MikroORM } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import pg from 'pg';
import { subgraphDefinitions } from '../subgraphs/definitions.ts';
import { SUBGRAPH_NAMES, type SubgraphName } from '../platform/config.ts';

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
  const orm = await MikroORM.init({
    clientUrl: url.toString(),
    schema: name,
    entities: [...def.entities],
    extensions: [Migrator],
    migrations: { migrationsList: [...def.migrations], tableName: 'migrations', schema: name, snapshot: false, silent: true },
  });
  await orm.em.getConnection().execute(`create schema if not exists "${name}"`);
  await orm.migrator.up();
  const sql = await orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false, schema: name });
  process.stdout.write(sql);
  await orm.close(true);
} finally {
  await admin.query(`drop database if exists ${scratch} with (force)`);
  await admin.end();
}
