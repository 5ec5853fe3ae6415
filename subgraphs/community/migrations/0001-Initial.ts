import { Migration } from '@mikro-orm/migrations';

export class Initial extends Migration {
  override name = '0001-Initial';

  override up(): void {
    this.addSql("create schema if not exists \"community\"");
    this.addSql("create type \"community\".\"channel_type\" as enum ('TEXT', 'VOICE', 'CATEGORY', 'ANNOUNCEMENT')");
    this.addSql("create type \"community\".\"overwrite_target\" as enum ('ROLE', 'MEMBER')");
    this.addSql("create table \"community\".\"users\" (\"id\" uuid not null, \"handle\" varchar(32) not null, \"handle_key\" varchar(32) not null, \"display_name\" varchar(64) not null, \"bio\" text null, \"avatar_key\" varchar(200) null, \"password_hash\" text not null, \"created_at\" timestamptz not null, primary key (\"id\"))");
    this.addSql("alter table \"community\".\"users\" add constraint \"users_handle_key_unique\" unique (\"handle_key\")");
    this.addSql("create table \"community\".\"sessions\" (\"id\" uuid not null, \"user_id\" uuid not null, \"user_agent\" varchar(300) null, \"client_address\" varchar(64) null, \"created_at\" timestamptz not null, \"last_used_at\" timestamptz not null, \"expires_at\" timestamptz not null, \"revoked_at\" timestamptz null, \"revoked_reason\" varchar(100) null, primary key (\"id\"))");
    this.addSql("create index \"sessions_user_id_index\" on \"community\".\"sessions\" (\"user_id\")");
    this.addSql("create table \"community\".\"refresh_tokens\" (\"id\" uuid not null, \"session_id\" uuid not null, \"secret_hash\" varchar(64) not null, \"created_at\" timestamptz not null, \"used_at\" timestamptz null, primary key (\"id\"))");
    this.addSql("create index \"refresh_tokens_session_id_index\" on \"community\".\"refresh_tokens\" (\"session_id\")");
    this.addSql("create table \"community\".\"communities\" (\"id\" uuid not null, \"name\" varchar(100) not null, \"description\" text null, \"owner_id\" uuid not null, \"created_at\" timestamptz not null, primary key (\"id\"))");
    this.addSql("create index \"communities_owner_id_index\" on \"community\".\"communities\" (\"owner_id\")");
    this.addSql("create table \"community\".\"roles\" (\"id\" uuid not null, \"community_id\" uuid not null, \"name\" varchar(100) not null, \"color\" int not null, \"position\" int not null, \"permissions\" bigint not null, \"mentionable\" boolean not null, \"created_at\" timestamptz not null, primary key (\"id\"))");
    this.addSql("create index \"roles_community_id_index\" on \"community\".\"roles\" (\"community_id\")");
    this.addSql("create table \"community\".\"member_roles\" (\"community_id\" uuid not null, \"user_id\" uuid not null, \"role_id\" uuid not null, primary key (\"community_id\", \"user_id\", \"role_id\"))");
    this.addSql("create index \"member_roles_role_id_index\" on \"community\".\"member_roles\" (\"role_id\")");
    this.addSql("create table \"community\".\"members\" (\"community_id\" uuid not null, \"user_id\" uuid not null, \"nickname\" varchar(64) null, \"timed_out_until\" timestamptz null, \"joined_at\" timestamptz not null, primary key (\"community_id\", \"user_id\"))");
    this.addSql("create index \"members_user_id_index\" on \"community\".\"members\" (\"user_id\")");
    this.addSql("create table \"community\".\"invites\" (\"code\" varchar(16) not null, \"community_id\" uuid not null, \"inviter_id\" uuid not null, \"max_uses\" int null, \"uses\" int not null, \"expires_at\" timestamptz null, \"revoked_at\" timestamptz null, \"created_at\" timestamptz not null, primary key (\"code\"))");
    this.addSql("create index \"invites_community_id_index\" on \"community\".\"invites\" (\"community_id\")");
    this.addSql("create table \"community\".\"channels\" (\"id\" uuid not null, \"community_id\" uuid not null, \"name\" varchar(100) not null, \"type\" \"community\".\"channel_type\" not null, \"topic\" varchar(1024) null, \"position\" int not null, \"parent_id\" uuid null, \"permissions_synced\" boolean not null, \"slow_mode_seconds\" int not null, \"created_at\" timestamptz not null, primary key (\"id\"))");
    this.addSql("create index \"channels_community_id_index\" on \"community\".\"channels\" (\"community_id\")");
    this.addSql("create table \"community\".\"channel_overwrites\" (\"channel_id\" uuid not null, \"target_type\" \"community\".\"overwrite_target\" not null, \"target_id\" uuid not null, \"allow\" bigint not null, \"deny\" bigint not null, primary key (\"channel_id\", \"target_type\", \"target_id\"))");
    this.addSql("create table \"community\".\"audit_entries\" (\"id\" uuid not null, \"community_id\" uuid not null, \"actor_id\" uuid not null, \"action\" varchar(48) not null, \"target_type\" varchar(24) not null, \"target_id\" varchar(64) null, \"before\" jsonb null, \"after\" jsonb null, \"reason\" varchar(512) null, \"created_at\" timestamptz not null, primary key (\"id\"))");
    this.addSql("create index \"audit_entries_community_id_index\" on \"community\".\"audit_entries\" (\"community_id\", \"id\")");
    this.addSql("create table \"community\".\"bans\" (\"community_id\" uuid not null, \"user_id\" uuid not null, \"reason\" varchar(512) null, \"banned_by\" uuid not null, \"created_at\" timestamptz not null, primary key (\"community_id\", \"user_id\"))");
    this.addSql("alter table \"community\".\"sessions\" add constraint \"sessions_user_id_foreign\" foreign key (\"user_id\") references \"community\".\"users\" (\"id\") on delete cascade");
    this.addSql("alter table \"community\".\"refresh_tokens\" add constraint \"refresh_tokens_session_id_foreign\" foreign key (\"session_id\") references \"community\".\"sessions\" (\"id\") on delete cascade");
    this.addSql("alter table \"community\".\"communities\" add constraint \"communities_owner_id_foreign\" foreign key (\"owner_id\") references \"community\".\"users\" (\"id\")");
    this.addSql("alter table \"community\".\"roles\" add constraint \"roles_community_id_foreign\" foreign key (\"community_id\") references \"community\".\"communities\" (\"id\") on delete cascade");
    this.addSql("alter table \"community\".\"member_roles\" add constraint \"member_roles_community_id_foreign\" foreign key (\"community_id\") references \"community\".\"communities\" (\"id\") on update cascade on delete cascade");
    this.addSql("alter table \"community\".\"member_roles\" add constraint \"member_roles_user_id_foreign\" foreign key (\"user_id\") references \"community\".\"users\" (\"id\") on update cascade on delete cascade");
    this.addSql("alter table \"community\".\"member_roles\" add constraint \"member_roles_role_id_foreign\" foreign key (\"role_id\") references \"community\".\"roles\" (\"id\") on update cascade on delete cascade");
    this.addSql("alter table \"community\".\"members\" add constraint \"members_community_id_foreign\" foreign key (\"community_id\") references \"community\".\"communities\" (\"id\") on update cascade on delete cascade");
    this.addSql("alter table \"community\".\"members\" add constraint \"members_user_id_foreign\" foreign key (\"user_id\") references \"community\".\"users\" (\"id\") on update cascade on delete cascade");
    this.addSql("alter table \"community\".\"invites\" add constraint \"invites_community_id_foreign\" foreign key (\"community_id\") references \"community\".\"communities\" (\"id\") on delete cascade");
    this.addSql("alter table \"community\".\"invites\" add constraint \"invites_inviter_id_foreign\" foreign key (\"inviter_id\") references \"community\".\"users\" (\"id\") on delete cascade");
    this.addSql("alter table \"community\".\"channels\" add constraint \"channels_community_id_foreign\" foreign key (\"community_id\") references \"community\".\"communities\" (\"id\") on delete cascade");
    this.addSql("alter table \"community\".\"channel_overwrites\" add constraint \"channel_overwrites_channel_id_foreign\" foreign key (\"channel_id\") references \"community\".\"channels\" (\"id\") on delete cascade");
    this.addSql("alter table \"community\".\"audit_entries\" add constraint \"audit_entries_community_id_foreign\" foreign key (\"community_id\") references \"community\".\"communities\" (\"id\") on delete cascade");
    this.addSql("alter table \"community\".\"bans\" add constraint \"bans_community_id_foreign\" foreign key (\"community_id\") references \"community\".\"communities\" (\"id\") on update cascade on delete cascade");
    this.addSql("alter table \"community\".\"bans\" add constraint \"bans_user_id_foreign\" foreign key (\"user_id\") references \"community\".\"users\" (\"id\") on update cascade on delete cascade");
  }
}
