import { Migration } from '@mikro-orm/migrations';

export class Outbox extends Migration {
  override name = '0003-Outbox';

  override up(): void {
    this.addSql("create table \"media\".\"outbox\" (\"id\" uuid not null, \"topic\" varchar(100) null, \"trigger\" varchar(200) null, \"payload\" jsonb not null, \"created_at\" timestamptz not null, primary key (\"id\"))");
  }
}
