import { Migration } from '@mikro-orm/migrations';

export class Initial extends Migration {
  override name = '0001-Initial';

  override up(): void {
    this.addSql("create schema if not exists \"discovery\"");
    this.addSql("create type \"discovery\".\"search_kind\" as enum ('USER', 'TRACK')");
    this.addSql("create table \"discovery\".\"search_documents\" (\"id\" uuid not null, \"kind\" \"discovery\".\"search_kind\" not null, \"title\" text not null, \"body\" text null, \"tsv\" tsvector generated always as (setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', coalesce(body, '')), 'B')) stored null, \"updated_at\" timestamptz not null, primary key (\"id\"))");
    this.addSql("create index \"search_documents_tsv_index\" on \"discovery\".\"search_documents\" using gin (\"tsv\")");
  }
}
