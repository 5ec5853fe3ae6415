import { Migration } from '@mikro-orm/migrations';

export class ReadStates extends Migration {
  override name = '0002-ReadStates';

  override up(): void {
    this.addSql("create table \"chat\".\"read_states\" (\"user_id\" uuid not null, \"channel_id\" uuid not null, \"last_read_position\" int not null, \"updated_at\" timestamptz not null, primary key (\"user_id\", \"channel_id\"))");
  }
}
