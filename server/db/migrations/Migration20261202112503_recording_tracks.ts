import { Migration } from '@mikro-orm/migrations';

/**
 * Recordings become tracks: one file per participant and kind (a host's track has no candidate;
 * files recorded before hold the candidate's camera with its mic, hence CAMERA), the interview's
 * recording clock (t = 0), and the two screen-rule violation types.
 */
export class Migration20261202112503_recording_tracks extends Migration {
  override name = 'Migration20261202112503_recording_tracks';

  override up(): void | Promise<void> {
    this.addSql(`alter table "interviews" add "recording_clock_at" timestamptz(3) null;`);

    this.addSql(`alter table "recordings" add "participant" text not null default 'CANDIDATE', add "kind" text not null default 'CAMERA', add "bytes" bigint null;`);
    this.addSql(`alter table "recordings" alter column "candidate_id" drop not null;`);
    this.addSql(`alter table "recordings" add constraint "recordings_participant_check" check ("participant" in ('HOST', 'CANDIDATE'));`);
    this.addSql(`alter table "recordings" add constraint "recordings_kind_check" check ("kind" in ('CAMERA', 'MICROPHONE', 'SCREEN'));`);

    this.addSql(`alter table "violations" drop constraint "violations_type_check";`);
    this.addSql(
      `alter table "violations" add constraint "violations_type_check" check ("type" in ('TAB_SWITCH', 'WINDOW_BLUR', 'FACE_MISSING', 'MULTIPLE_FACES', 'LOOKING_AWAY', 'AUDIO_DETECTED', 'FULLSCREEN_EXIT', 'RESIZE_ATTEMPT', 'COPY_PASTE', 'CONTEXT_MENU', 'DEVTOOLS_OPEN', 'HEARTBEAT_LOST', 'MEDIA_LOST', 'SCREEN_SHARE_STOPPED', 'MULTIPLE_DISPLAYS'));`,
    );

    this.addSql(`alter table "events" drop constraint "events_type_check";`);
    this.addSql(
      `alter table "events" add constraint "events_type_check" check ("type" in ('TAB_SWITCH', 'WINDOW_BLUR', 'FACE_MISSING', 'MULTIPLE_FACES', 'LOOKING_AWAY', 'AUDIO_DETECTED', 'FULLSCREEN_EXIT', 'RESIZE_ATTEMPT', 'COPY_PASTE', 'CONTEXT_MENU', 'DEVTOOLS_OPEN', 'HEARTBEAT_LOST', 'MEDIA_LOST', 'SCREEN_SHARE_STOPPED', 'MULTIPLE_DISPLAYS'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "events" drop constraint "events_type_check";`);
    this.addSql(
      `alter table "events" add constraint "events_type_check" check ("type" in ('TAB_SWITCH', 'WINDOW_BLUR', 'FACE_MISSING', 'MULTIPLE_FACES', 'LOOKING_AWAY', 'AUDIO_DETECTED', 'FULLSCREEN_EXIT', 'RESIZE_ATTEMPT', 'COPY_PASTE', 'CONTEXT_MENU', 'DEVTOOLS_OPEN', 'HEARTBEAT_LOST', 'MEDIA_LOST'));`,
    );

    this.addSql(`alter table "interviews" drop column "recording_clock_at";`);

    this.addSql(`alter table "recordings" drop constraint "recordings_participant_check";`);
    this.addSql(`alter table "recordings" drop constraint "recordings_kind_check";`);
    this.addSql(`alter table "recordings" drop column "participant", drop column "kind", drop column "bytes";`);
    this.addSql(`alter table "recordings" alter column "candidate_id" set not null;`);

    this.addSql(`alter table "violations" drop constraint "violations_type_check";`);
    this.addSql(
      `alter table "violations" add constraint "violations_type_check" check ("type" in ('TAB_SWITCH', 'WINDOW_BLUR', 'FACE_MISSING', 'MULTIPLE_FACES', 'LOOKING_AWAY', 'AUDIO_DETECTED', 'FULLSCREEN_EXIT', 'RESIZE_ATTEMPT', 'COPY_PASTE', 'CONTEXT_MENU', 'DEVTOOLS_OPEN', 'HEARTBEAT_LOST', 'MEDIA_LOST'));`,
    );
  }
}
