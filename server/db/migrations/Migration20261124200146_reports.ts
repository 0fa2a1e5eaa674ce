import { Migration } from '@mikro-orm/migrations';

export class Migration20261124200146_reports extends Migration {
  override name = 'Migration20261124200146_reports';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "webhooks" ("id" uuid not null, "org_id" uuid not null, "url" varchar(2048) not null, "events" jsonb not null, "secret" varchar(64) not null, "created_at" timestamptz(3) not null, primary key ("id"));`,
    );
    this.addSql(`create index "webhooks_org_id_index" on "webhooks" ("org_id");`);

    this.addSql(
      `create table "webhook_deliveries" ("id" uuid not null, "webhook_id" uuid not null, "event" varchar(32) not null, "payload" jsonb not null, "status" text not null default 'PENDING', "attempts" int not null default 0, "last_status_code" int null, "last_error" text null, "created_at" timestamptz(3) not null, "last_attempt_at" timestamptz(3) null, "delivered_at" timestamptz(3) null, primary key ("id"));`,
    );
    this.addSql(`create index "webhook_deliveries_webhook_id_created_at_id_index" on "webhook_deliveries" ("webhook_id", "created_at", "id");`);

    this.addSql(`alter table "orgs" add "retention_days" int not null default 90;`);

    this.addSql(
      `alter table "reports" add "summary" text null, add "metrics" jsonb null, add "violation_log_sha256" varchar(64) null, add "pdf" bytea null, add "pdf_bytes" int null, add "attempts" int not null default 0, add "created_at" timestamptz(3) not null;`,
    );
    this.addSql(`alter table "reports" add constraint "reports_interview_id_candidate_id_unique" unique ("interview_id", "candidate_id");`);

    this.addSql(`alter table "webhooks" add constraint "webhooks_org_id_foreign" foreign key ("org_id") references "orgs" ("id");`);

    this.addSql(
      `alter table "webhook_deliveries" add constraint "webhook_deliveries_webhook_id_foreign" foreign key ("webhook_id") references "webhooks" ("id") on delete cascade;`,
    );
    this.addSql(`alter table "webhook_deliveries" add constraint "webhook_deliveries_status_check" check ("status" in ('PENDING', 'DELIVERED', 'FAILED'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "webhook_deliveries" drop constraint "webhook_deliveries_webhook_id_foreign";`);

    this.addSql(`drop table if exists "webhooks" cascade;`);
    this.addSql(`drop table if exists "webhook_deliveries" cascade;`);

    this.addSql(`alter table "orgs" drop column "retention_days";`);

    this.addSql(`alter table "reports" drop constraint "reports_interview_id_candidate_id_unique";`);
    this.addSql(
      `alter table "reports" drop column "summary", drop column "metrics", drop column "violation_log_sha256", drop column "pdf", drop column "pdf_bytes", drop column "attempts", drop column "created_at";`,
    );
  }
}
