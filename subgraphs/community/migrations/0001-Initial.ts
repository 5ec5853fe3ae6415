import { Migration } from '@mikro-orm/migrations';

export class Initial extends Migration {
  override name = '0001-Initial';

  override up(): void {
    this.addSql("create schema if not exists \"community\"");
    this.addSql("create type \"community\".\"channel_type\" as enum ('TEXT', 'VOICE', 'CATEGORY', 'ANNOUNCEMENT')");
    this.addSql("create table \"community\".\"users\" (\"id\" uuid not null, \"handle\" varchar(32) not null, \"handle_key\" varchar(32) not null, \"display_name\" varchar(64) not null, \"password_hash\" text not null, \"created_at\" timestamptz not null, primary key (\"id\"))");
    this.addSql("alter table \"community\".\"users\" add constraint \"users_handle_key_unique\" unique (\"handle_key\")");
    this.addSql("create table \"community\".\"sessions\" (\"id\" uuid not null, \"user_id\" uuid not null, \"created_at\" timestamptz not null, \"revoked_at\" timestamptz null, primary key (\"id\"))");
    this.addSql("create index \"sessions_user_id_index\" on \"community\".\"sessions\" (\"user_id\")");
    this.addSql("create table \"community\".\"communities\" (\"id\" uuid not null, \"name\" varchar(100) not null, \"owner_id\" uuid not null, \"created_at\" timestamptz not null, primary key (\"id\"))");
    this.addSql("create index \"communities_owner_id_index\" on \"community\".\"communities\" (\"owner_id\")");
    this.addSql("create table \"community\".\"members\" (\"community_id\" uuid not null, \"user_id\" uuid not null, \"joined_at\" timestamptz not null, primary key (\"community_id\", \"user_id\"))");
    this.addSql("create index \"members_user_id_index\" on \"community\".\"members\" (\"user_id\")");
    this.addSql("create table \"community\".\"channels\" (\"id\" uuid not null, \"community_id\" uuid not null, \"name\" varchar(100) not null, \"type\" \"community\".\"channel_type\" not null, \"topic\" varchar(1024) null, \"position\" int not null, \"created_at\" timestamptz not null, primary key (\"id\"))");
    this.addSql("create index \"channels_community_id_index\" on \"community\".\"channels\" (\"community_id\")");
    this.addSql("alter table \"community\".\"sessions\" add constraint \"sessions_user_id_foreign\" foreign key (\"user_id\") references \"community\".\"users\" (\"id\")");
    this.addSql("alter table \"community\".\"communities\" add constraint \"communities_owner_id_foreign\" foreign key (\"owner_id\") references \"community\".\"users\" (\"id\")");
    this.addSql("alter table \"community\".\"members\" add constraint \"members_community_id_foreign\" foreign key (\"community_id\") references \"community\".\"communities\" (\"id\") on update cascade on delete cascade");
    this.addSql("alter table \"community\".\"members\" add constraint \"members_user_id_foreign\" foreign key (\"user_id\") references \"community\".\"users\" (\"id\") on update cascade on delete cascade");
    this.addSql("alter table \"community\".\"channels\" add constraint \"channels_community_id_foreign\" foreign key (\"community_id\") references \"community\".\"communities\" (\"id\")");
  }
}
