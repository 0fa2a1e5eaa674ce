import { Migration } from '@mikro-orm/migrations';

/** Candidate statements: the org's switch (off by default) and the one statement a candidate may leave on a completed review. */
export class Migration20261202120000_candidate_statements extends Migration {
  override name = 'Migration20261202120000_candidate_statements';

  override up(): void | Promise<void> {
    this.addSql(`alter table "orgs" add "candidate_statements" boolean not null default false;`);

    this.addSql(`alter table "candidates" add "statement_text" text null, add "statement_submitted_at" timestamptz(3) null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "candidates" drop column "statement_text", drop column "statement_submitted_at";`);

    this.addSql(`alter table "orgs" drop column "candidate_statements";`);
  }
}
