import { Migration } from '@mikro-orm/migrations';

export class Search extends Migration {
  override name = '0002-Search';

  override up(): void {
    this.addSql("alter table \"chat\".\"messages\" add \"tsv\" tsvector generated always as (to_tsvector('simple', body)) stored null");
    this.addSql("create index \"messages_tsv_index\" on \"chat\".\"messages\" using gin (\"tsv\")");
  }
}
