import { Migration } from '@mikro-orm/migrations';

export class Migration20261124185800_live_events extends Migration {
  override name = 'Migration20261124185800_live_events';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "events" ("id" uuid not null, "session_id" uuid not null, "seq" int null, "type" text not null, "occurred_at" timestamptz(3) not null, "received_at" timestamptz(3) not null, "duration_ms" int not null, "confidence" double precision null, "metadata" jsonb null, "violation_id" uuid null, primary key ("id"));`,
    );
    this.addSql(`create index "events_violation_id_index" on "events" ("violation_id");`);
    this.addSql(`alter table "events" add constraint "events_session_id_seq_unique" unique ("session_id", "seq");`);

    this.addSql(`alter table "sessions" add "interview_id" uuid null, add "last_heartbeat_at" timestamptz(3) null, add "telemetry" jsonb null;`);
    this.addSql(`alter table "sessions" add constraint "sessions_interview_id_foreign" foreign key ("interview_id") references "interviews" ("id") on delete set null;`);
    this.addSql(`create index "sessions_interview_id_index" on "sessions" ("interview_id");`);

    this.addSql(
      `alter table "violations" add "candidate_id" uuid null, add "interview_id" uuid null, add "last_occurred_at" timestamptz(3) null, add "count" int not null default 1, add "duration_ms" int not null default 0;`,
    );
    this.addSql(`alter table "violations" add constraint "violations_candidate_id_foreign" foreign key ("candidate_id") references "candidates" ("id") on delete set null;`);
    this.addSql(`alter table "violations" add constraint "violations_interview_id_foreign" foreign key ("interview_id") references "interviews" ("id") on delete set null;`);
    this.addSql(`create index "violations_interview_id_timestamp_index" on "violations" ("interview_id", "timestamp");`);
    this.addSql(`create index "violations_candidate_id_timestamp_index" on "violations" ("candidate_id", "timestamp");`);

    this.addSql(`alter table "events" add constraint "events_session_id_foreign" foreign key ("session_id") references "sessions" ("id");`);
    this.addSql(`alter table "events" add constraint "events_violation_id_foreign" foreign key ("violation_id") references "violations" ("id") on delete set null;`);
    this.addSql(
      `alter table "events" add constraint "events_type_check" check ("type" in ('TAB_SWITCH', 'WINDOW_BLUR', 'FACE_MISSING', 'MULTIPLE_FACES', 'LOOKING_AWAY', 'AUDIO_DETECTED', 'FULLSCREEN_EXIT', 'RESIZE_ATTEMPT', 'COPY_PASTE', 'CONTEXT_MENU', 'DEVTOOLS_OPEN', 'HEARTBEAT_LOST', 'MEDIA_LOST'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "events" cascade;`);

    this.addSql(`alter table "sessions" drop constraint "sessions_interview_id_foreign";`);

    this.addSql(`alter table "violations" drop constraint "violations_candidate_id_foreign";`);
    this.addSql(`alter table "violations" drop constraint "violations_interview_id_foreign";`);

    this.addSql(`drop index "sessions_interview_id_index";`);
    this.addSql(`alter table "sessions" drop column "interview_id", drop column "last_heartbeat_at", drop column "telemetry";`);

    this.addSql(`drop index "violations_interview_id_timestamp_index";`);
    this.addSql(`drop index "violations_candidate_id_timestamp_index";`);
    this.addSql(
      `alter table "violations" drop column "candidate_id", drop column "interview_id", drop column "last_occurred_at", drop column "count", drop column "duration_ms";`,
    );
  }
}
