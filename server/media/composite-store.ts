// The composite_recordings table: a PENDING row per recorded candidate when the interview ends,
// then the job's progress, and the MP4 once READY. Claims and failures are single conditional
// statements, as for reports: two processes never both think they own a run.
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { parseTimestamp } from '../db/timestamps.ts';
import { JobRows } from '../jobs/job-rows.ts';
import type { CompositeStatus } from '../db/entities.ts';

/** A composite as the API shows it, with the org it belongs to. */
export interface CompositeRow {
  id: string;
  orgId: string;
  interviewId: string;
  candidateId: string;
  candidateName: string;
  status: CompositeStatus;
  progress: number;
  path: string | null;
  bytes: number | null;
  durationMs: number | null;
  attempts: number;
  error: string | null;
  readyAt: Date | null;
  interviewEndedAt: Date | null;
}

interface RawCompositeRow {
  id: string;
  org_id: string;
  interview_id: string;
  candidate_id: string;
  candidate_name: string;
  status: CompositeStatus;
  progress: number;
  path: string | null;
  bytes: number | null;
  duration_ms: number | null;
  attempts: number;
  error: string | null;
  ready_at: string | null;
  interview_ended_at: string | null;
}

const SELECT_ROW = `select cr.id, i.org_id, cr.interview_id, cr.candidate_id, c.name as candidate_name, cr.status, cr.progress, cr.path, cr.bytes,
    cr.duration_ms, cr.attempts, cr.error, cr.ready_at, i.ended_at as interview_ended_at
  from composite_recordings cr join interviews i on i.id = cr.interview_id join candidates c on c.id = cr.candidate_id`;

function toRow(raw: RawCompositeRow): CompositeRow {
  return {
    id: raw.id,
    orgId: raw.org_id,
    interviewId: raw.interview_id,
    candidateId: raw.candidate_id,
    candidateName: raw.candidate_name,
    status: raw.status,
    progress: Number(raw.progress),
    path: raw.path,
    bytes: raw.bytes === null ? null : Number(raw.bytes),
    durationMs: raw.duration_ms,
    attempts: raw.attempts,
    error: raw.error,
    readyAt: raw.ready_at === null ? null : parseTimestamp(raw.ready_at),
    interviewEndedAt: raw.interview_ended_at === null ? null : parseTimestamp(raw.interview_ended_at),
  };
}

export class CompositeStore {
  readonly #orm: MikroORM;

  /** The pending-work sweep's query, claims (a run counted, RUNNING) and progress. */
  readonly jobs: JobRows;

  constructor(orm: MikroORM) {
    this.#orm = orm;
    this.jobs = new JobRows(orm, 'composite_recordings');
  }

  #connection() {
    return this.#orm.em.getConnection();
  }

  /** Within the transaction that ends an interview: a PENDING row per candidate with a recording (once). */
  async recordPending(tx: EntityManager, interviewId: string): Promise<string[]> {
    const created = await tx.execute<{ id: string }[]>(
      `insert into composite_recordings (id, interview_id, candidate_id, status, progress, attempts, created_at)
       select gen_random_uuid(), c.interview_id, c.id, 'PENDING', 0, 0, now() from candidates c
        where c.interview_id = ? and exists (select 1 from recordings r where r.candidate_id = c.id)
       on conflict (candidate_id) do nothing returning id`,
      [interviewId],
    );
    return created.map((row) => row.id);
  }

  /** Claims the row for a run (see JobRows.claim); the row, or undefined when it is gone or settled. */
  async claim(id: string): Promise<CompositeRow | undefined> {
    return (await this.jobs.claim(id)) ? this.byId(id, 'RUNNING') : undefined;
  }

  async byId(id: string, status?: CompositeStatus): Promise<CompositeRow | undefined> {
    const [raw] = await this.#connection().execute<RawCompositeRow[]>(`${SELECT_ROW} where cr.id = ?${status ? ' and cr.status = ?' : ''}`, status ? [id, status] : [id]);
    return raw && toRow(raw);
  }

  async ofCandidate(interviewId: string, candidateId: string): Promise<CompositeRow | undefined> {
    const [raw] = await this.#connection().execute<RawCompositeRow[]>(`${SELECT_ROW} where cr.interview_id = ? and cr.candidate_id = ?`, [interviewId, candidateId]);
    return raw && toRow(raw);
  }

  async markReady(tx: EntityManager, id: string, file: { path: string; bytes: number; durationMs: number }): Promise<void> {
    await tx.execute(
      `update composite_recordings set status = 'READY', progress = 1, path = ?, bytes = ?, duration_ms = ?, error = null, ready_at = now() where id = ?`,
      [file.path, file.bytes, file.durationMs, id],
      'run',
    );
  }

  async markFailedAttempt(id: string, error: string, status: CompositeStatus): Promise<void> {
    await this.#connection().execute(`update composite_recordings set error = ?, status = ? where id = ? and status <> 'READY'`, [error, status, id], 'run');
  }

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.#orm.em.fork().transactional(work);
  }
}
