import { Migration } from '@mikro-orm/migrations';

export class Initial extends Migration {
  override name = '0001-Initial';

  override up(): void {
    this.addSql("create schema if not exists \"social\"");
    this.addSql("create table \"social\".\"follows\" (\"id\" uuid not null, \"follower_id\" uuid not null, \"followee_id\" uuid not null, \"created_at\" timestamptz not null, primary key (\"id\"))");
    this.addSql("create index \"follows_followee_id_index\" on \"social\".\"follows\" (\"followee_id\")");
    this.addSql("alter table \"social\".\"follows\" add constraint \"follows_pair_unique\" unique (\"follower_id\", \"followee_id\")");
  }
}
