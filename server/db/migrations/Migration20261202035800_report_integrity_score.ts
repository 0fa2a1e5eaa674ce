import { Migration } from '@mikro-orm/migrations';

/** The report column holding the integrity score is named for it (it was score_confidence). */
export class Migration20261202035800_report_integrity_score extends Migration {
  override name = 'Migration20261202035800_report_integrity_score';

  override up(): void | Promise<void> {
    this.addSql(`alter table "reports" rename column "score_confidence" to "score_integrity";`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "reports" rename column "score_integrity" to "score_confidence";`);
  }
}
