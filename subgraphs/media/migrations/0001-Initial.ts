import { Migration } from '@mikro-orm/migrations';

export class Initial extends Migration {
  override name = '0001-Initial';

  override up(): void {
    this.addSql("create schema if not exists \"media\"");
    this.addSql("create type \"media\".\"track_status\" as enum ('UPLOADING', 'PROCESSING', 'READY', 'FAILED')");
    this.addSql("create type \"media\".\"track_visibility\" as enum ('PUBLIC', 'UNLISTED', 'PRIVATE')");
    this.addSql("create type \"media\".\"rendition_kind\" as enum ('HLS_MASTER', 'HLS_VARIANT', 'MP3', 'FLAC')");
    this.addSql("create table \"media\".\"tracks\" (\"id\" uuid not null, \"owner_id\" uuid not null, \"title\" varchar(200) not null, \"description\" text null, \"tags\" text[] not null, \"genre\" varchar(64) null, \"status\" \"media\".\"track_status\" not null, \"visibility\" \"media\".\"track_visibility\" not null, \"secret_token\" varchar(32) not null, \"failure_reason\" text null, \"original_key\" varchar(200) not null, \"content_type\" varchar(100) not null, \"byte_size\" bigint not null, \"sha256\" varchar(64) null, \"duration_seconds\" double precision null, \"loudness\" jsonb null, \"waveform\" jsonb null, \"features\" jsonb null, \"renditions_prefix\" varchar(200) null, \"artwork_key\" varchar(200) null, \"processing_progress\" double precision null, \"play_count\" int not null, \"created_at\" timestamptz not null, primary key (\"id\"))");
    this.addSql("create index \"tracks_owner_id_index\" on \"media\".\"tracks\" (\"owner_id\")");
    this.addSql("create table \"media\".\"renditions\" (\"track_id\" uuid not null, \"key\" varchar(300) not null, \"kind\" \"media\".\"rendition_kind\" not null, \"codec\" varchar(32) not null, \"bitrate_kbps\" int null, \"content_type\" varchar(100) not null, \"byte_size\" bigint not null, primary key (\"track_id\", \"key\"))");
    this.addSql("create table \"media\".\"playback_sessions\" (\"id\" uuid not null, \"track_id\" uuid not null, \"listener_id\" uuid null, \"started_at\" timestamptz not null, \"last_heartbeat_at\" timestamptz not null, \"listened_seconds\" double precision not null, \"counted\" boolean not null, \"ended_at\" timestamptz null, primary key (\"id\"))");
    this.addSql("create index \"playback_sessions_track_id_index\" on \"media\".\"playback_sessions\" (\"track_id\")");
    this.addSql("alter table \"media\".\"renditions\" add constraint \"renditions_track_id_foreign\" foreign key (\"track_id\") references \"media\".\"tracks\" (\"id\") on delete cascade");
    this.addSql("alter table \"media\".\"playback_sessions\" add constraint \"playback_sessions_track_id_foreign\" foreign key (\"track_id\") references \"media\".\"tracks\" (\"id\") on delete cascade");
  }
}
