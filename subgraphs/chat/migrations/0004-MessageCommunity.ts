import { Migration } from '@mikro-orm/migrations';

export class MessageCommunity extends Migration {
  override name = '0004-MessageCommunity';

  override up(): void {
    this.addSql("alter table \"chat\".\"messages\" add \"community_id\" uuid null");
    this.addSql("create index \"messages_community_author_index\" on \"chat\".\"messages\" (\"community_id\", \"author_id\", \"created_at\")");
  }
}
