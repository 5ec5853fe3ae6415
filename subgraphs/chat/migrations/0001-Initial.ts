import { Migration } from '@mikro-orm/migrations';

export class Initial extends Migration {
  override name = '0001-Initial';

  override up(): void {
    this.addSql("create schema if not exists \"chat\"");
    this.addSql("create table \"chat\".\"channel_sequences\" (\"channel_id\" uuid not null, \"last_position\" int not null, primary key (\"channel_id\"))");
    this.addSql("create table \"chat\".\"messages\" (\"id\" uuid not null, \"channel_id\" uuid not null, \"thread_id\" uuid null, \"stream_id\" uuid not null, \"author_id\" uuid not null, \"body\" text not null, \"position\" int not null, \"reply_to_id\" uuid null, \"mentioned_user_ids\" text[] not null, \"mentioned_role_ids\" text[] not null, \"mentions_everyone\" boolean not null, \"pinned_at\" timestamptz null, \"pinned_by\" uuid null, \"nonce\" varchar(64) null, \"created_at\" timestamptz not null, \"edited_at\" timestamptz null, primary key (\"id\"))");
    this.addSql("alter table \"chat\".\"messages\" add constraint \"messages_stream_position_unique\" unique (\"stream_id\", \"position\")");
    this.addSql("alter table \"chat\".\"messages\" add constraint \"messages_author_nonce_unique\" unique (\"author_id\", \"nonce\")");
    this.addSql("create table \"chat\".\"reactions\" (\"message_id\" uuid not null, \"emoji\" varchar(64) not null, \"user_id\" uuid not null, \"created_at\" timestamptz not null, primary key (\"message_id\", \"emoji\", \"user_id\"))");
    this.addSql("create table \"chat\".\"read_states\" (\"user_id\" uuid not null, \"channel_id\" uuid not null, \"last_read_position\" int not null, \"updated_at\" timestamptz not null, primary key (\"user_id\", \"channel_id\"))");
    this.addSql("create table \"chat\".\"threads\" (\"id\" uuid not null, \"channel_id\" uuid not null, \"parent_message_id\" uuid null, \"name\" varchar(100) not null, \"created_by\" uuid not null, \"archived_at\" timestamptz null, \"created_at\" timestamptz not null, primary key (\"id\"))");
    this.addSql("create index \"threads_channel_id_index\" on \"chat\".\"threads\" (\"channel_id\")");
    this.addSql("alter table \"chat\".\"threads\" add constraint \"threads_parent_message_id_unique\" unique (\"parent_message_id\")");
    this.addSql("create table \"chat\".\"thread_members\" (\"thread_id\" uuid not null, \"user_id\" uuid not null, \"joined_at\" timestamptz not null, primary key (\"thread_id\", \"user_id\"))");
  }
}
