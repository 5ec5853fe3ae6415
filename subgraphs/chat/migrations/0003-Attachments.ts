import { Migration } from '@mikro-orm/migrations';

export class Attachments extends Migration {
  override name = '0003-Attachments';

  override up(): void {
    this.addSql("create table \"chat\".\"attachments\" (\"id\" uuid not null, \"message_id\" uuid null, \"uploader_id\" uuid not null, \"channel_id\" uuid not null, \"key\" varchar(300) not null, \"filename\" varchar(255) not null, \"content_type\" varchar(100) not null, \"byte_size\" bigint not null, \"created_at\" timestamptz not null, primary key (\"id\"))");
    this.addSql("create index \"attachments_message_id_index\" on \"chat\".\"attachments\" (\"message_id\")");
  }
}
