import { Migration } from '@mikro-orm/migrations';

/** Human review (verdicts on violations, decisions on candidates, review statuses) and kept report versions. */
export class Migration20261202071435_human_review extends Migration {
  override name = 'Migration20261202071435_human_review';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "report_versions" ("id" uuid not null, "report_id" uuid not null, "version" int not null, "violation_log_sha256" varchar(64) not null, "scores" jsonb not null, "reviewed_scores" jsonb null, "verdicts" jsonb not null, "review" jsonb null, "pdf_bytes" int not null, "generated_at" timestamptz(3) not null, primary key ("id"));`,
    );
    this.addSql(`alter table "report_versions" add constraint "report_versions_report_id_version_unique" unique ("report_id", "version");`);

    this.addSql(`alter table "interviews" add "review_status" text not null default 'PENDING';`);
    this.addSql(`alter table "interviews" add constraint "interviews_review_status_check" check ("review_status" in ('PENDING', 'IN_REVIEW', 'DONE'));`);

    this.addSql(
      `alter table "candidates" add "review_status" text not null default 'PENDING', add "review_decision" text null, add "review_note" text null, add "reviewed_by_kind" varchar(16) null, add "reviewed_by_id" uuid null, add "reviewed_by" varchar(254) null, add "reviewed_at" timestamptz(3) null;`,
    );
    this.addSql(`alter table "candidates" add constraint "candidates_review_status_check" check ("review_status" in ('PENDING', 'IN_REVIEW', 'DONE'));`);
    this.addSql(`alter table "candidates" add constraint "candidates_review_decision_check" check ("review_decision" in ('CLEARED', 'CONCERNS', 'REJECTED'));`);

    this.addSql(`alter table "reports" add "version" int null;`);

    this.addSql(
      `alter table "violations" add "review_verdict" text null, add "review_note" text null, add "reviewed_by_kind" varchar(16) null, add "reviewed_by_id" uuid null, add "reviewed_by" varchar(254) null, add "reviewed_at" timestamptz(3) null;`,
    );
    this.addSql(`alter table "violations" add constraint "violations_review_verdict_check" check ("review_verdict" in ('CONFIRMED', 'DISMISSED'));`);

    this.addSql(`alter table "report_versions" add constraint "report_versions_report_id_foreign" foreign key ("report_id") references "reports" ("id") on delete cascade;`);

    // Reports already READY become their own version 1 (built before reviews existed: no verdicts).
    this.addSql(`insert into "report_versions" ("id", "report_id", "version", "violation_log_sha256", "scores", "verdicts", "pdf_bytes", "generated_at")
      select gen_random_uuid(), "id", 1, "violation_log_sha256",
        jsonb_build_object('focus', "score_focus", 'integrity', "score_integrity", 'composite', "score_composite", 'summary', "summary", 'contributions', '[]'::jsonb),
        '[]'::jsonb, "pdf_bytes", "generated_at"
      from "reports" where "status" = 'READY' and "violation_log_sha256" is not null and "pdf_bytes" is not null and "generated_at" is not null;`);
    this.addSql(`update "reports" set "version" = 1 where "id" in (select "report_id" from "report_versions");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "report_versions" cascade;`);

    this.addSql(`alter table "candidates" drop constraint "candidates_review_status_check";`);
    this.addSql(`alter table "candidates" drop constraint "candidates_review_decision_check";`);
    this.addSql(
      `alter table "candidates" drop column "review_status", drop column "review_decision", drop column "review_note", drop column "reviewed_by_kind", drop column "reviewed_by_id", drop column "reviewed_by", drop column "reviewed_at";`,
    );

    this.addSql(`alter table "interviews" drop constraint "interviews_review_status_check";`);
    this.addSql(`alter table "interviews" drop column "review_status";`);

    this.addSql(`alter table "reports" drop column "version";`);

    this.addSql(`alter table "violations" drop constraint "violations_review_verdict_check";`);
    this.addSql(
      `alter table "violations" drop column "review_verdict", drop column "review_note", drop column "reviewed_by_kind", drop column "reviewed_by_id", drop column "reviewed_by", drop column "reviewed_at";`,
    );
  }
}
