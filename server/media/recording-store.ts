// The recordings table: one row per track (a participant's camera, mic or screen in its own file),
// written when the file starts and completed once it is finalized; and the interview's recording
// clock (t = 0, stored on the interview when its first track starts) that every track is placed on.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { RecordingParticipant, TrackKind } from '../../contract/recording.ts';
import { parseTimestamp } from '../db/timestamps.ts';

export interface StartedTrack {
  id: string;
  interviewId: string;
  /** null for a host's track. */
  candidateId: string | null;
  participant: RecordingParticipant;
  kind: TrackKind;
  path: string;
  startedAt: Date;
}

/** A recording file of a candidate, as the report lists it. */
export interface RecordedFile {
  path: string;
  startedAt: Date;
}

/** One track placed on the interview's recording clock. */
export interface RecordedTrack {
  id: string;
  participant: RecordingParticipant;
  /** The candidate whose track it is; null for a host's. */
  candidateId: string | null;
  kind: TrackKind;
  /** Absolute path of the WebM (VP8/Opus) or Matroska (H264) file. */
  path: string;
  /** Where the file's first media sits on the interview's clock. */
  startMs: number;
  /** Where it ends; null while it is still being written. */
  endMs: number | null;
  /** The finalized file's size; null while it is still being written. */
  bytes: number | null;
}

/** A candidate's recording: their tracks and the hosts', on one clock. */
export interface CandidateRecording {
  interviewId: string;
  candidateId: string;
  /** t = 0 of every track's startMs and endMs. */
  startedAt: Date;
  /** Ordered by start, then participant and kind. */
  tracks: RecordedTrack[];
}

interface TrackRow {
  id: string;
  participant: RecordingParticipant;
  candidate_id: string | null;
  kind: TrackKind;
  path: string;
  started_at: string;
  ended_at: string | null;
  bytes: string | number | null;
  clock_at: string;
}

export class RecordingStore {
  readonly #orm: MikroORM;

  constructor(orm: MikroORM) {
    this.#orm = orm;
  }

  /** A track's file started; the interview's clock starts with its first track. */
  async started({ id, interviewId, candidateId, participant, kind, path, startedAt }: StartedTrack): Promise<void> {
    const connection = this.#orm.em.getConnection();
    await connection.execute('update interviews set recording_clock_at = coalesce(recording_clock_at, ?) where id = ?', [startedAt, interviewId], 'run');
    await connection.execute(
      'insert into recordings (id, interview_id, candidate_id, participant, kind, path, started_at) values (?, ?, ?, ?, ?, ?, ?)',
      [id, interviewId, candidateId, participant, kind, path, startedAt],
      'run',
    );
  }

  async ended(id: string, endedAt: Date, bytes: number | null): Promise<void> {
    await this.#orm.em.getConnection().execute('update recordings set ended_at = ?, bytes = ? where id = ?', [endedAt, bytes, id], 'run');
  }

  /** When the recorder finalized the file at `path`; undefined while it is still writing it (or for no such track). */
  async endedAt(path: string): Promise<Date | undefined> {
    const [row] = await this.#orm.em.getConnection().execute<{ ended_at: string | null }[]>('select ended_at from recordings where path = ?', [path]);
    return row?.ended_at ? parseTimestamp(row.ended_at) : undefined;
  }

  /** The candidate's own files, oldest first (each track and each reconnect is a file). */
  async ofCandidate(interviewId: string, candidateId: string): Promise<RecordedFile[]> {
    const rows = await this.#orm.em
      .getConnection()
      .execute<{ path: string; started_at: string; ended_at: string | null }[]>(
        'select path, started_at, ended_at from recordings where interview_id = ? and candidate_id = ? order by started_at',
        [interviewId, candidateId],
      );
    return rows.map((row) => ({ path: row.path, startedAt: parseTimestamp(row.started_at), endedAt: row.ended_at === null ? null : parseTimestamp(row.ended_at) }));
  }

  /**
   * The candidate's recording: their tracks and every host track of the interview, on the
   * interview's clock (recorded before the clock was stored: its first track's start). Undefined
   * when the candidate has no track. The caller has checked the interview is the actor's.
   */
  async ofCandidateTimeline(interviewId: string, candidateId: string): Promise<CandidateRecording | undefined> {
    const rows = await this.#orm.em.getConnection().execute<TrackRow[]>(
      `select r.id, r.participant, r.candidate_id, r.kind, r.path, r.started_at, r.ended_at, r.bytes,
         coalesce(i.recording_clock_at, min(r.started_at) over ()) as clock_at
       from recordings r join interviews i on i.id = r.interview_id
       where r.interview_id = ? and (r.candidate_id = ? or r.participant = 'HOST')
       order by r.started_at, r.participant, r.kind`,
      [interviewId, candidateId],
    );
    if (!rows.some((row) => row.candidate_id === candidateId)) return undefined;
    const clock = parseTimestamp(rows[0]!.clock_at);
    const offset = (at: string) => parseTimestamp(at).getTime() - clock.getTime();
    return {
      interviewId,
      candidateId,
      startedAt: clock,
      tracks: rows.map((row) => ({
        id: row.id,
        participant: row.participant,
        candidateId: row.candidate_id,
        kind: row.kind,
        path: row.path,
        startMs: offset(row.started_at),
        endMs: row.ended_at === null ? null : offset(row.ended_at),
        bytes: row.bytes === null ? null : Number(row.bytes),
      })),
    };
  }
}
