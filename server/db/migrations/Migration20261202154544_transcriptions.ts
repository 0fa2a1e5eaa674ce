import { Migration } from '@mikro-orm/migrations';

/**
 * Transcription becomes a job of its own after the report (one row per candidate, like the
 * composite's); the engine moves from the analysis to it, and a report version records the
 * transcription it was made with.
 */
export class Migration20261202154544_transcriptions extends Migration {
  override name = 'Migration20261202154544_transcriptions';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "transcriptions" ("id" uuid not null, "interview_id" uuid not null, "candidate_id" uuid not null, "status" text not null default 'PENDING', "engine" varchar(32) null, "progress" double precision not null default 0, "attempts" int not null default 0, "error" text null, "created_at" timestamptz(3) not null, "done_at" timestamptz(3) null, primary key ("id"));`,
    );
    this.addSql(`create index "transcriptions_interview_id_index" on "transcriptions" ("interview_id");`);
    this.addSql(`alter table "transcriptions" add constraint "transcriptions_candidate_id_unique" unique ("candidate_id");`);
    this.addSql(`alter table "transcriptions" add constraint "transcriptions_interview_id_foreign" foreign key ("interview_id") references "interviews" ("id");`);
    this.addSql(`alter table "transcriptions" add constraint "transcriptions_candidate_id_foreign" foreign key ("candidate_id") references "candidates" ("id");`);
    this.addSql(`alter table "transcriptions" add constraint "transcriptions_status_check" check ("status" in ('PENDING', 'RUNNING', 'DONE', 'FAILED', 'OFF'));`);
    // Analyses made before: transcribed in the same run (DONE with its engine) or with transcription off.
    this.addSql(
      `insert into "transcriptions" ("id", "interview_id", "candidate_id", "status", "engine", "progress", "attempts", "created_at", "done_at")
       select gen_random_uuid(), "interview_id", "candidate_id", case when "engine" is null then 'OFF' else 'DONE' end, "engine", 1, 1, "analysed_at", "analysed_at"
       from "speech_analyses" where "status" = 'DONE';`,
    );
    this.addSql(`alter table "speech_analyses" drop column "engine";`);

    this.addSql(`alter table "report_versions" add "transcript_status" text null;`);
    this.addSql(
      `alter table "report_versions" add constraint "report_versions_transcript_status_check" check ("transcript_status" in ('PENDING', 'RUNNING', 'DONE', 'FAILED', 'OFF'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "speech_analyses" add "engine" varchar(32) null;`);
    this.addSql(`update "speech_analyses" a set "engine" = t."engine" from "transcriptions" t where t."candidate_id" = a."candidate_id";`);
    this.addSql(`drop table if exists "transcriptions" cascade;`);
    this.addSql(`alter table "report_versions" drop constraint "report_versions_transcript_status_check";`);
    this.addSql(`alter table "report_versions" drop column "transcript_status";`);
  }
}
