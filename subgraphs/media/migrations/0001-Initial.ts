import { Migration } from '@mikro-orm/migrations';

export class Initial extends Migration {
  override name = '0001-Initial';

  override up(): void {
    this.addSql("create schema if not exists \"media\"");
    this.addSql("create type \"media\".\"track_status\" as enum ('UPLOADING', 'PROCESSING', 'READY', 'FAILED')");
    this.addSql("create type \"media\".\"track_visibility\" as enum ('PUBLIC', 'UNLISTED', 'PRIVATE')");
    this.addSql("create table \"media\".\"tracks\" (\"id\" uuid not null, \"owner_id\" uuid not null, \"title\" varchar(200) not null, \"description\" text null, \"status\" \"media\".\"track_status\" not null, \"visibility\" \"media\".\"track_visibility\" not null, \"failure_reason\" text null, \"original_key\" varchar(200) not null, \"content_type\" varchar(100) not null, \"byte_size\" bigint not null, \"duration_seconds\" double precision null, \"created_at\" timestamptz not null, primary key (\"id\"))");
    this.addSql("create index \"tracks_owner_id_index\" on \"media\".\"tracks\" (\"owner_id\")");
  }
}
