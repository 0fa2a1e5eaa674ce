import { Migration } from '@mikro-orm/migrations';

/** Speech analysis: speaking segments per participant and the machine transcript, per candidate. */
export class Migration20261202112127_speech extends Migration {
  override name = 'Migration20261202112127_speech';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "speaking_segments" ("id" uuid not null, "interview_id" uuid not null, "candidate_id" uuid not null, "speaker" text not null, "start_ms" int not null, "end_ms" int not null, primary key ("id"));`,
    );
    this.addSql(`create index "speaking_segments_interview_id_index" on "speaking_segments" ("interview_id");`);
    this.addSql(`create index "speaking_segments_candidate_id_index" on "speaking_segments" ("candidate_id");`);

    this.addSql(
      `create table "speech_analyses" ("id" uuid not null, "interview_id" uuid not null, "candidate_id" uuid not null, "status" text not null, "engine" varchar(32) null, "note" text null, "analysed_at" timestamptz(3) not null, primary key ("id"));`,
    );
    this.addSql(`create index "speech_analyses_interview_id_index" on "speech_analyses" ("interview_id");`);
    this.addSql(`alter table "speech_analyses" add constraint "speech_analyses_candidate_id_unique" unique ("candidate_id");`);

    this.addSql(
      `create table "transcript_segments" ("id" uuid not null, "interview_id" uuid not null, "candidate_id" uuid not null, "speaker" text not null, "start_ms" int not null, "end_ms" int not null, "text" text not null, "confidence" double precision not null, primary key ("id"));`,
    );
    this.addSql(`create index "transcript_segments_interview_id_index" on "transcript_segments" ("interview_id");`);
    this.addSql(`create index "transcript_segments_candidate_id_index" on "transcript_segments" ("candidate_id");`);

    this.addSql(`alter table "speaking_segments" add constraint "speaking_segments_interview_id_foreign" foreign key ("interview_id") references "interviews" ("id");`);
    this.addSql(`alter table "speaking_segments" add constraint "speaking_segments_candidate_id_foreign" foreign key ("candidate_id") references "candidates" ("id");`);
    this.addSql(`alter table "speaking_segments" add constraint "speaking_segments_speaker_check" check ("speaker" in ('HOST', 'CANDIDATE'));`);

    this.addSql(`alter table "speech_analyses" add constraint "speech_analyses_interview_id_foreign" foreign key ("interview_id") references "interviews" ("id");`);
    this.addSql(`alter table "speech_analyses" add constraint "speech_analyses_candidate_id_foreign" foreign key ("candidate_id") references "candidates" ("id");`);
    this.addSql(`alter table "speech_analyses" add constraint "speech_analyses_status_check" check ("status" in ('DONE', 'FAILED'));`);

    this.addSql(`alter table "transcript_segments" add constraint "transcript_segments_interview_id_foreign" foreign key ("interview_id") references "interviews" ("id");`);
    this.addSql(`alter table "transcript_segments" add constraint "transcript_segments_candidate_id_foreign" foreign key ("candidate_id") references "candidates" ("id");`);
    this.addSql(`alter table "transcript_segments" add constraint "transcript_segments_speaker_check" check ("speaker" in ('HOST', 'CANDIDATE'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "speaking_segments" cascade;`);
    this.addSql(`drop table if exists "speech_analyses" cascade;`);
    this.addSql(`drop table if exists "transcript_segments" cascade;`);
  }
}
