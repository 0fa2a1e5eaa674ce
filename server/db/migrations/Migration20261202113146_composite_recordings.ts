import { Migration } from '@mikro-orm/migrations';

/** The composite MP4 of each candidate's recording: its job's status and progress, and the file once READY. */
export class Migration20261202113146_composite_recordings extends Migration {
  override name = 'Migration20261202113146_composite_recordings';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "composite_recordings" ("id" uuid not null, "interview_id" uuid not null, "candidate_id" uuid not null, "status" text not null default 'PENDING', "progress" double precision not null default 0, "path" varchar(1024) null, "bytes" double precision null, "duration_ms" int null, "attempts" int not null default 0, "error" text null, "created_at" timestamptz(3) not null, "ready_at" timestamptz(3) null, primary key ("id"));`,
    );
    this.addSql(`create index "composite_recordings_interview_id_index" on "composite_recordings" ("interview_id");`);
    this.addSql(`alter table "composite_recordings" add constraint "composite_recordings_candidate_id_unique" unique ("candidate_id");`);

    this.addSql(`alter table "composite_recordings" add constraint "composite_recordings_interview_id_foreign" foreign key ("interview_id") references "interviews" ("id");`);
    this.addSql(`alter table "composite_recordings" add constraint "composite_recordings_candidate_id_foreign" foreign key ("candidate_id") references "candidates" ("id");`);
    this.addSql(`alter table "composite_recordings" add constraint "composite_recordings_status_check" check ("status" in ('PENDING', 'RUNNING', 'READY', 'FAILED'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "composite_recordings" cascade;`);
  }
}
