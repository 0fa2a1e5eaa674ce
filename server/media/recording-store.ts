// The recordings table: a row when a file starts, its end time once the file is finalized.
import type { MikroORM } from '@mikro-orm/postgresql';

export interface StartedRecording {
  id: string;
  interviewId: string;
  candidateId: string;
  path: string;
  startedAt: Date;
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
}
