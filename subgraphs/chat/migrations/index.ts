// The subgraph's migrations, oldest first. New ones: node tools/new-migration.ts chat <Name>
import type { MigrationObject } from '@mikro-orm/core';
import { Initial as M1 } from './0001-Initial.ts';
import { Search as M2 } from './0002-Search.ts';
import { Attachments as M3 } from './0003-Attachments.ts';
import { MessageCommunity as M4 } from './0004-MessageCommunity.ts';
import { Outbox as M5 } from './0005-Outbox.ts';

export const migrations: MigrationObject[] = [
  { name: '0001-Initial', class: M1 },
  { name: '0002-Search', class: M2 },
  { name: '0003-Attachments', class: M3 },
  { name: '0004-MessageCommunity', class: M4 },
  { name: '0005-Outbox', class: M5 },
];
