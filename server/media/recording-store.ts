// The recordings table: a row when a file starts, its end time once the file is finalized.
import type { MikroORM } from '@mikro-orm/postgresql';
import { parseTimestamp } from '../db/timestamps.ts';

export interface StartedRecording {
  id: string;
  interviewId: string;
  candidateId: string;
  path: string;
  startedAt: Date;
}

/** A recording file of a candidate, as the report lists it. */
export interface RecordedFile {
  path: string;
  startedAt: Date;
  /** Null while ffmpeg is still writing it (or if its process died before finalizing). */
  endedAt: Date | null;
}

export class RecordingStore {
  readonly #orm: MikroORM;

  constructor(orm: MikroORM) {
    this.#orm = orm;
  }

  async started({ id, interviewId, candidateId, path, startedAt }: StartedRecording): Promise<void> {
    await this.#orm.em
      .getConnection()
      .execute('insert into recordings (id, interview_id, candidate_id, path, started_at) values (?, ?, ?, ?, ?)', [id, interviewId, candidateId, path, startedAt], 'run');
  }

  async ended(id: string, endedAt: Date): Promise<void> {
    await this.#orm.em.getConnection().execute('update recordings set ended_at = ? where id = ?', [endedAt, id], 'run');
  }

  /** The candidate's recordings, oldest first (a reconnect or worker restart starts a new file). */
  async ofCandidate(interviewId: string, candidateId: string): Promise<RecordedFile[]> {
    const rows = await this.#orm.em
      .getConnection()
      .execute<{ path: string; started_at: string; ended_at: string | null }[]>(
        'select path, started_at, ended_at from recordings where interview_id = ? and candidate_id = ? order by started_at',
        [interviewId, candidateId],
      );
    return rows.map((row) => ({ path: row.path, startedAt: parseTimestamp(row.started_at), endedAt: row.ended_at === null ? null : parseTimestamp(row.ended_at) }));
  }
}
