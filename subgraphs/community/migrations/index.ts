// The subgraph's migrations, oldest first. New ones: node tools/new-migration.ts community <Name>
import type { MigrationObject } from '@mikro-orm/core';
import { Initial as M1 } from './0001-Initial.ts';
import { Outbox as M2 } from './0002-Outbox.ts';

export const migrations: MigrationObject[] = [
  { name: '0001-Initial', class: M1 },
  { name: '0002-Outbox', class: M2 },
];
