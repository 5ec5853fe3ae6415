/**
 * A subgraph's database: one MikroORM instance bound to one PostgreSQL schema that only
 * that subgraph reads and writes. Migrations are plain SQL classes kept beside the
 * subgraph (`subgraphs/<name>/migrations/`) and run at start-up.
 */
import { MikroORM, type EntityManager, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { MigrationObject, EntityClass, EntitySchema, AnyEntity } from '@mikro-orm/core';
import type { Logger } from '../logger.ts';

export type { EntityManager };

export interface DatabaseOptions {
  /** PostgreSQL connection URL (real server, or the embedded PGlite socket). */
  url: string;
  /** The PostgreSQL schema this subgraph owns, e.g. `community`. */
  schema: string;
  entities: readonly (EntityClass<AnyEntity> | EntitySchema)[];
  migrations: readonly MigrationObject[];
  /** Largest number of pooled connections. The embedded PGlite serves one query at a time. */
  poolSize?: number;
  logger?: Logger;
  /** Called with every SQL statement sent; tests count queries per operation with it. */
  onQuery?: (sql: string) => void;
}

/**
 * Whether `sql`, as `onQuery` sees it, is an operation's own work: not transaction control
 * (begin, commit, rollback, a transaction's `set local`) nor the outbox relay's, which polls
 * in the background. Statement counts per operation (benchmark D1, the SQL-per-page tests)
 * count only these.
 */
export function isOperationStatement(sql: string): boolean {
  return !/outbox|^(begin|commit|rollback|set local)\b/i.test(sql);
}

export interface Database {
  orm: MikroORM;
  schema: string;
  /** A fresh, request-scoped entity manager (its own identity map and unit of work). */
  fork(): EntityManager;
  close(): Promise<void>;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  const config: Options = {
    clientUrl: opts.url,
    schema: opts.schema,
    entities: [...opts.entities],
    extensions: [Migrator],
    pool: { min: 0, max: opts.poolSize ?? 10 },
    migrations: {
      migrationsList: [...opts.migrations],
      tableName: 'migrations',
      schema: opts.schema,
      snapshot: false,
      silent: true,
      snapshotOnMigrate: false,
      transactional: true,
      allOrNothing: true,
    },
    // Entities are declared with `defineEntity`; no reflection needed.
    discovery: { warnWhenNoEntities: false },
    allowGlobalContext: false,
    debug: opts.onQuery ? ['query'] : false,
    ...(opts.onQuery
      ? {
          logger: (message: string) => {
            const sql = stripLogDecoration(message);
            if (sql) opts.onQuery?.(sql);
          },
        }
      : {}),
  };
  const orm = await MikroORM.init(config);
  await orm.em.getConnection().execute(`create schema if not exists "${opts.schema}"`);
  const executed = await orm.migrator.up();
  if (executed.length > 0) {
    opts.logger?.info({ schema: opts.schema, migrations: executed.map((m) => m.name) }, 'migrations applied');
  }
  return {
    orm,
    schema: opts.schema,
    fork: () => orm.em.fork({ clear: true, useContext: false }),
    close: () => orm.close(true),
  };
}

/** MikroORM's query logger prefixes statements with a namespace and suffixes timing; keep the SQL. */
function stripLogDecoration(message: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- strips the logger's ANSI colour codes
  const m = /\[query\]\s*(.*?)(?:\s*\[took.*)?$/s.exec(message.replace(/\x1b\[[0-9;]*m/g, ''));
  return m?.[1]?.trim() || undefined;
}
