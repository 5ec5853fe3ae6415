import { Migration } from '@mikro-orm/migrations';

export class Playlists extends Migration {
  override name = '0002-Playlists';

  override up(): void {
    this.addSql("create table \"media\".\"playlists\" (\"id\" uuid not null, \"owner_id\" uuid not null, \"title\" varchar(200) not null, \"description\" text null, \"visibility\" \"media\".\"track_visibility\" not null, \"secret_token\" varchar(32) not null, \"created_at\" timestamptz not null, primary key (\"id\"))");
    this.addSql("create index \"playlists_owner_id_index\" on \"media\".\"playlists\" (\"owner_id\")");
    this.addSql("create table \"media\".\"playlist_tracks\" (\"playlist_id\" uuid not null, \"track_id\" uuid not null, \"position\" int not null, \"added_at\" timestamptz not null, primary key (\"playlist_id\", \"track_id\"))");
    this.addSql("create index \"playlist_tracks_track_id_index\" on \"media\".\"playlist_tracks\" (\"track_id\")");
    this.addSql("alter table \"media\".\"playlist_tracks\" add constraint \"playlist_tracks_playlist_id_foreign\" foreign key (\"playlist_id\") references \"media\".\"playlists\" (\"id\") on update cascade on delete cascade");
    this.addSql("alter table \"media\".\"playlist_tracks\" add constraint \"playlist_tracks_track_id_foreign\" foreign key (\"track_id\") references \"media\".\"tracks\" (\"id\") on update cascade on delete cascade");
  }
}
