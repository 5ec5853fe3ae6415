import { Migration } from '@mikro-orm/migrations';

export class EffectRenders extends Migration {
  override name = '0005-EffectRenders';

  override up(): void {
    this.addSql("create type \"media\".\"eq_preset\" as enum ('FLAT', 'BASS_BOOST', 'TREBLE_BOOST', 'VOCAL', 'LOFI')");
    this.addSql("create type \"media\".\"effect_render_status\" as enum ('PENDING', 'READY', 'FAILED')");
    this.addSql("create table \"media\".\"effect_renders\" (\"id\" uuid not null, \"track_id\" uuid not null, \"chain_key\" varchar(64) not null, \"tempo\" double precision not null, \"pitch_semitones\" double precision not null, \"eq_preset\" \"media\".\"eq_preset\" not null, \"status\" \"media\".\"effect_render_status\" not null, \"failure_reason\" text null, \"key\" varchar(300) null, \"byte_size\" bigint null, \"duration_seconds\" double precision null, \"created_at\" timestamptz not null, primary key (\"id\"))");
    this.addSql("alter table \"media\".\"effect_renders\" add constraint \"effect_renders_track_id_chain_key_unique\" unique (\"track_id\", \"chain_key\")");
    this.addSql("alter table \"media\".\"effect_renders\" add constraint \"effect_renders_track_id_foreign\" foreign key (\"track_id\") references \"media\".\"tracks\" (\"id\") on delete cascade");
  }
}
