import { Migration } from '@mikro-orm/migrations';

export class Migration20261124200151_media_recordings_and_quality extends Migration {
  override name = 'Migration20261124200151_media_recordings_and_quality';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "recordings" ("id" uuid not null, "interview_id" uuid not null, "candidate_id" uuid not null, "path" varchar(1024) not null, "started_at" timestamptz(3) not null, "ended_at" timestamptz(3) null, primary key ("id"));`,
    );
    this.addSql(`create index "recordings_candidate_id_index" on "recordings" ("candidate_id");`);
    this.addSql(`create index "recordings_interview_id_started_at_index" on "recordings" ("interview_id", "started_at");`);

    this.addSql(
      `create table "stream_quality_summaries" ("id" uuid not null, "interview_id" uuid not null, "candidate_id" uuid not null, "session_id" uuid null, "samples" int not null, "avg_bitrate_kbps" double precision not null, "avg_packet_loss_pct" double precision not null, "avg_jitter_ms" double precision not null, "avg_rtt_ms" double precision not null, "min_score" int not null, "first_at" timestamptz(3) not null, "last_at" timestamptz(3) not null, primary key ("id"));`,
    );
    this.addSql(`create index "stream_quality_summaries_interview_id_index" on "stream_quality_summaries" ("interview_id");`);
    this.addSql(`alter table "stream_quality_summaries" add constraint "stream_quality_summaries_candidate_id_unique" unique ("candidate_id");`);

    this.addSql(`alter table "recordings" add constraint "recordings_interview_id_foreign" foreign key ("interview_id") references "interviews" ("id");`);
    this.addSql(`alter table "recordings" add constraint "recordings_candidate_id_foreign" foreign key ("candidate_id") references "candidates" ("id");`);

    this.addSql(
      `alter table "stream_quality_summaries" add constraint "stream_quality_summaries_interview_id_foreign" foreign key ("interview_id") references "interviews" ("id");`,
    );
    this.addSql(
      `alter table "stream_quality_summaries" add constraint "stream_quality_summaries_candidate_id_foreign" foreign key ("candidate_id") references "candidates" ("id");`,
    );
    this.addSql(
      `alter table "stream_quality_summaries" add constraint "stream_quality_summaries_session_id_foreign" foreign key ("session_id") references "sessions" ("id") on delete set null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "recordings" cascade;`);
    this.addSql(`drop table if exists "stream_quality_summaries" cascade;`);
  }
}
