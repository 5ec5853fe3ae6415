// The subgraph's migrations, oldest first. New ones: node tools/new-migration.ts media <Name>
import type { MigrationObject } from '@mikro-orm/core';
import { Initial as M1 } from './0001-Initial.ts';
import { Playlists as M2 } from './0002-Playlists.ts';
import { Outbox as M3 } from './0003-Outbox.ts';
import { RenditionsComplete as M4 } from './0004-RenditionsComplete.ts';
import { EffectRenders as M5 } from './0005-EffectRenders.ts';

export const migrations: MigrationObject[] = [
  { name: '0001-Initial', class: M1 },
  { name: '0002-Playlists', class: M2 },
  { name: '0003-Outbox', class: M3 },
  { name: '0004-RenditionsComplete', class: M4 },
  { name: '0005-EffectRenders', class: M5 },
];
