// Committed migrations, applied in this order at start-up.
import { Migration20261124181218_init } from './Migration20261124181218_init.ts';
import { Migration20261124184852_millisecond_timestamps } from './Migration20261124184852_millisecond_timestamps.ts';
import { Migration20261124185800_live_events } from './Migration20261124185800_live_events.ts';
import { Migration20261124200146_reports } from './Migration20261124200146_reports.ts';
import { Migration20261124200151_media_recordings_and_quality } from './Migration20261124200151_media_recordings_and_quality.ts';
import { Migration20261124202838_snapshots } from './Migration20261124202838_snapshots.ts';
import { Migration20261124203000_agenda_jobs } from './Migration20261124203000_agenda_jobs.ts';
import { Migration20261202005822_token_scopes_and_revocation } from './Migration20261202005822_token_scopes_and_revocation.ts';
import { Migration20261202035800_report_integrity_score } from './Migration20261202035800_report_integrity_score.ts';
import { Migration20261202071435_human_review } from './Migration20261202071435_human_review.ts';
import { Migration20261202112503_recording_tracks } from './Migration20261202112503_recording_tracks.ts';
import { Migration20261202113146_composite_recordings } from './Migration20261202113146_composite_recordings.ts';
import { Migration20261202112127_speech } from './Migration20261202112127_speech.ts';
import { Migration20261202120000_candidate_statements } from './Migration20261202120000_candidate_statements.ts';
import { Migration20261202154544_transcriptions } from './Migration20261202154544_transcriptions.ts';
import { Migration20261202112153_accommodations } from './Migration20261202112153_accommodations.ts';

export const migrations = [
  Migration20261124181218_init,
  Migration20261124184852_millisecond_timestamps,
  Migration20261124185800_live_events,
  Migration20261124200146_reports,
  Migration20261124200151_media_recordings_and_quality,
  Migration20261124202838_snapshots,
  Migration20261124203000_agenda_jobs,
  Migration20261202005822_token_scopes_and_revocation,
  Migration20261202035800_report_integrity_score,
  Migration20261202071435_human_review,
  Migration20261202112127_speech,
  Migration20261202112153_accommodations,
  Migration20261202112503_recording_tracks,
  Migration20261202113146_composite_recordings,
  Migration20261202120000_candidate_statements,
  Migration20261202154544_transcriptions,
];
