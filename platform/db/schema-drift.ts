/**
 * Migration completeness: applies a subgraph's migrations to an empty database and asks
 * MikroORM what SQL would still be needed to match the entities. An empty answer means
 * the migrations describe exactly what the code expects.
 */
import { MikroORM } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { MigrationObject, EntityClass, EntitySchema, AnyEntity } from '@mikro-orm/core';

export async function pendingSchemaSql(
  databaseUrl: string,
  schema: string,
  entities: readonly (EntityClass<AnyEntity> | EntitySchema)[],
  migrations: readonly MigrationObject[],
): Promise<string> {
  const orm = await MikroORM.init({
    clientUrl: databaseUrl,
    schema,
    entities: [...entities],
    extensions: [Migrator],
    migrations: { migrationsList: [...migrations], tableName: 'migrations', schema, snapshot: false, silent: true },
  });
  try {
    await orm.em.getConnection().execute(`create schema if not exists "${schema}"`);
    await orm.migrator.up();
    return (await orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false, schema })).trim();
  } finally {
    await orm.close(true);
  }
}
