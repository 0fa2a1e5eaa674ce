import { Migration } from '@mikro-orm/migrations';

/** Accommodations per candidate, and which violations they covered. */
export class Migration20261202112153_accommodations extends Migration {
  override name = 'Migration20261202112153_accommodations';

  override up(): void | Promise<void> {
    this.addSql(`alter table "candidates" add "accommodations" jsonb null;`);
    this.addSql(`alter table "violations" add "accommodated" boolean not null default false;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "candidates" drop column "accommodations";`);
    this.addSql(`alter table "violations" drop column "accommodated";`);
  }
}
