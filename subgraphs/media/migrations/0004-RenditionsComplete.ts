import { Migration } from '@mikro-orm/migrations';

/**
 * Tracks become READY from their first HLS variant on; `renditions_complete` says whether
 * the rest is made. Tracks already READY were made whole in one go, so they are complete.
 */
export class RenditionsComplete extends Migration {
  override name = '0004-RenditionsComplete';

  override up(): void {
    this.addSql("alter table \"media\".\"tracks\" add \"renditions_complete\" boolean not null default false");
    this.addSql("update \"media\".\"tracks\" set \"renditions_complete\" = true where \"status\" = 'READY'");
    this.addSql("alter table \"media\".\"tracks\" alter column \"renditions_complete\" drop default");
  }
}
