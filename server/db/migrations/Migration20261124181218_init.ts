import { Migration } from '@mikro-orm/migrations';

export class Migration20261124181218_init extends Migration {
  override name = 'Migration20261124181218_init';

  override up(): void | Promise<void> {
    this.addSql(`create table "orgs" ("id" uuid not null, "name" varchar(100) not null, "created_at" timestamptz not null, primary key ("id"));`);

    this.addSql(
      `create table "hosts" ("id" uuid not null, "org_id" uuid not null, "email" varchar(254) not null, "password_hash" varchar(255) not null, "created_at" timestamptz not null, "last_login_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "hosts_org_id_index" on "hosts" ("org_id");`);
    this.addSql(`alter table "hosts" add constraint "hosts_email_unique" unique ("email");`);

    this.addSql(
      `create table "interviews" ("id" uuid not null, "org_id" uuid not null, "host_id" uuid not null, "title" varchar(200) not null, "status" text not null default 'SCHEDULED', "scheduled_at" timestamptz null, "config" jsonb not null, "created_at" timestamptz not null, "started_at" timestamptz null, "ended_at" timestamptz null, "archived_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "interviews_host_id_index" on "interviews" ("host_id");`);
    this.addSql(`create index "interviews_org_id_created_at_id_index" on "interviews" ("org_id", "created_at", "id");`);
    this.addSql(`create index "interviews_org_id_status_created_at_id_index" on "interviews" ("org_id", "status", "created_at", "id");`);
    this.addSql(`alter table "interviews" add constraint "interviews_status_check" check ("status" in ('SCHEDULED', 'LIVE', 'COMPLETED', 'ARCHIVED'));`);

    this.addSql(
      `create table "candidates" ("id" uuid not null, "interview_id" uuid not null, "name" varchar(200) not null, "email" varchar(254) not null, "join_token_hash" varchar(64) not null, "token_not_before" timestamptz not null, "token_expires_at" timestamptz not null, "token_revoked_at" timestamptz null, "resume_url" varchar(2048) null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "candidates" add constraint "candidates_join_token_hash_unique" unique ("join_token_hash");`);
    this.addSql(`create index "candidates_interview_id_created_at_id_index" on "candidates" ("interview_id", "created_at", "id");`);
    this.addSql(`alter table "candidates" add constraint "candidates_interview_id_email_unique" unique ("interview_id", "email");`);

    this.addSql(
      `create table "audit_log" ("id" uuid not null, "org_id" uuid null, "actor_type" varchar(16) not null, "actor_id" uuid null, "action" varchar(64) not null, "target_type" varchar(32) null, "target_id" uuid null, "request_id" varchar(64) null, "metadata" jsonb null, "at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "audit_log_org_id_at_index" on "audit_log" ("org_id", "at");`);

    this.addSql(
      `create table "api_tokens" ("id" uuid not null, "org_id" uuid not null, "created_by_id" uuid null, "name" varchar(100) not null, "token_hash" varchar(64) not null, "prefix" varchar(16) not null, "created_at" timestamptz not null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "api_tokens_org_id_index" on "api_tokens" ("org_id");`);
    this.addSql(`alter table "api_tokens" add constraint "api_tokens_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "api_tokens_org_id_created_at_id_index" on "api_tokens" ("org_id", "created_at", "id");`);

    this.addSql(
      `create table "reports" ("id" uuid not null, "interview_id" uuid not null, "candidate_id" uuid not null, "status" text not null default 'PENDING', "score_composite" int null, "score_confidence" int null, "score_focus" int null, "report_pdf_url" varchar(2048) null, "ai_summary" text null, "error" text null, "generated_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "reports_interview_id_index" on "reports" ("interview_id");`);
    this.addSql(`create index "reports_candidate_id_index" on "reports" ("candidate_id");`);
    this.addSql(`alter table "reports" add constraint "reports_status_check" check ("status" in ('PENDING', 'READY', 'FAILED'));`);

    this.addSql(
      `create table "sessions" ("id" uuid not null, "candidate_id" uuid not null, "start_time" timestamptz not null, "end_time" timestamptz null, "device_info" jsonb null, primary key ("id"));`,
    );
    this.addSql(`create index "sessions_candidate_id_index" on "sessions" ("candidate_id");`);

    this.addSql(
      `create table "violations" ("id" uuid not null, "session_id" uuid not null, "type" text not null, "severity" text not null, "timestamp" timestamptz not null, "snapshot_url" varchar(2048) null, "metadata" jsonb null, primary key ("id"));`,
    );
    this.addSql(`create index "violations_session_id_index" on "violations" ("session_id");`);
    this.addSql(
      `alter table "violations" add constraint "violations_type_check" check ("type" in ('TAB_SWITCH', 'WINDOW_BLUR', 'FACE_MISSING', 'MULTIPLE_FACES', 'LOOKING_AWAY', 'AUDIO_DETECTED', 'FULLSCREEN_EXIT', 'RESIZE_ATTEMPT', 'COPY_PASTE', 'CONTEXT_MENU', 'DEVTOOLS_OPEN', 'HEARTBEAT_LOST', 'MEDIA_LOST'));`,
    );
    this.addSql(`alter table "violations" add constraint "violations_severity_check" check ("severity" in ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL'));`);

    this.addSql(`alter table "hosts" add constraint "hosts_org_id_foreign" foreign key ("org_id") references "orgs" ("id");`);

    this.addSql(`alter table "interviews" add constraint "interviews_org_id_foreign" foreign key ("org_id") references "orgs" ("id");`);
    this.addSql(`alter table "interviews" add constraint "interviews_host_id_foreign" foreign key ("host_id") references "hosts" ("id");`);

    this.addSql(`alter table "candidates" add constraint "candidates_interview_id_foreign" foreign key ("interview_id") references "interviews" ("id");`);

    this.addSql(`alter table "audit_log" add constraint "audit_log_org_id_foreign" foreign key ("org_id") references "orgs" ("id") on delete set null;`);

    this.addSql(`alter table "api_tokens" add constraint "api_tokens_org_id_foreign" foreign key ("org_id") references "orgs" ("id");`);
    this.addSql(`alter table "api_tokens" add constraint "api_tokens_created_by_id_foreign" foreign key ("created_by_id") references "hosts" ("id") on delete set null;`);

    this.addSql(`alter table "reports" add constraint "reports_interview_id_foreign" foreign key ("interview_id") references "interviews" ("id");`);
    this.addSql(`alter table "reports" add constraint "reports_candidate_id_foreign" foreign key ("candidate_id") references "candidates" ("id");`);

    this.addSql(`alter table "sessions" add constraint "sessions_candidate_id_foreign" foreign key ("candidate_id") references "candidates" ("id");`);

    this.addSql(`alter table "violations" add constraint "violations_session_id_foreign" foreign key ("session_id") references "sessions" ("id");`);
  }
}
