// The speech tables: one analysis row per candidate with their speaking segments (both
// participants, on the interview clock), and one transcription row per candidate, the
// transcribe-speech job's, with the transcript segments it made. A new analysis replaces the old
// one whole. The job's claim and failure are single conditional statements, as for composites: two
// processes never both think they own a run.
import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { JobRows } from '../jobs/job-rows.ts';
import { SpeakingSegment, SpeechAnalysis, Transcription, TranscriptSegment, TranscriptionStatus, type Speaker, type SpeechStatus } from '../db/entities.ts';

export interface SpeakingRow {
  speaker: Speaker;
  startMs: number;
  endMs: number;
}

export interface TranscriptRow extends SpeakingRow {
  text: string;
  confidence: number;
}

export interface AnalysisRow {
  status: SpeechStatus;
  note: string | null;
  analysedAt: Date;
}

export interface AnalysisResult {
  status: SpeechStatus;
  note: string | null;
  speaking: SpeakingRow[];
  /** The transcription that follows (none when the analysis failed). */
  transcription: { status: TranscriptionStatus; engine: string | null } | null;
}

/** A candidate's transcription job. */
export interface TranscriptionRow {
  id: string;
  orgId: string;
  interviewId: string;
  candidateId: string;
  status: TranscriptionStatus;
  engine: string | null;
  progress: number;
  attempts: number;
  error: string | null;
}

interface RawTranscriptionRow {
  id: string;
  org_id: string;
  interview_id: string;
  candidate_id: string;
  status: TranscriptionStatus;
  engine: string | null;
  progress: number;
  attempts: number;
  error: string | null;
}

const SELECT_TRANSCRIPTION = `select t.id, i.org_id, t.interview_id, t.candidate_id, t.status, t.engine, t.progress, t.attempts, t.error
  from transcriptions t join interviews i on i.id = t.interview_id`;

function toTranscriptionRow(raw: RawTranscriptionRow): TranscriptionRow {
  return {
    id: raw.id,
    orgId: raw.org_id,
    interviewId: raw.interview_id,
    candidateId: raw.candidate_id,
    status: raw.status,
    engine: raw.engine,
    progress: Number(raw.progress),
    attempts: raw.attempts,
    error: raw.error,
  };
}

/** Longest search text: a phrase, not a document. */
export const MAX_QUERY_LENGTH = 200;

export class SpeechStore {
  readonly #orm: MikroORM;

  /** The transcription jobs' rows: the pending-work sweep's query, claims and progress. */
  readonly transcriptions: JobRows;

  constructor(orm: MikroORM) {
    this.#orm = orm;
    this.transcriptions = new JobRows(orm, 'transcriptions');
  }

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.#orm.em.fork().transactional(work);
  }

  /** The analysis, its speaking segments and the transcription row that follows, in one transaction. */
  async save(interviewId: string, candidateId: string, result: AnalysisResult): Promise<void> {
    await this.transaction(async (tx) => {
      await tx.nativeDelete(SpeakingSegment, { candidate: candidateId });
      await tx.nativeDelete(TranscriptSegment, { candidate: candidateId });
      await tx.nativeDelete(SpeechAnalysis, { candidate: candidateId });
      await tx.nativeDelete(Transcription, { candidate: candidateId });
      // Native inserts skip the entities' onCreate: ids and times are given here.
      const owner = { interview: interviewId, candidate: candidateId };
      const now = new Date();
      await tx.insert(SpeechAnalysis, { id: randomUUID(), ...owner, status: result.status, note: result.note, analysedAt: now });
      if (result.speaking.length)
        await tx.insertMany(
          SpeakingSegment,
          result.speaking.map((s) => ({ id: randomUUID(), ...owner, ...s })),
        );
      if (result.transcription) {
        const settled = result.transcription.status !== TranscriptionStatus.PENDING;
        await tx.insert(Transcription, {
          id: randomUUID(),
          ...owner,
          ...result.transcription,
          progress: settled ? 1 : 0,
          attempts: 0,
          createdAt: now,
          doneAt: settled ? now : null,
        });
      }
    });
  }

  async analysisOf(candidateId: string): Promise<AnalysisRow | undefined> {
    const row = await this.#orm.em.fork().findOne(SpeechAnalysis, { candidate: candidateId });
    return row ? { status: row.status, note: row.note ?? null, analysedAt: row.analysedAt } : undefined;
  }

  async speakingOf(candidateId: string): Promise<SpeakingRow[]> {
    const rows = await this.#orm.em.fork().find(SpeakingSegment, { candidate: candidateId }, { orderBy: { startMs: 'asc', speaker: 'asc' } });
    return rows.map(({ speaker, startMs, endMs }) => ({ speaker, startMs, endMs }));
  }

  /** The candidate's transcript in time order; `query` keeps the segments whose text contains it (any case). */
  async transcriptOf(candidateId: string, query?: string): Promise<TranscriptRow[]> {
    const where = query ? { candidate: candidateId, text: { $ilike: `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%` } } : { candidate: candidateId };
    const rows = await this.#orm.em.fork().find(TranscriptSegment, where, { orderBy: { startMs: 'asc', speaker: 'asc' } });
    return rows.map(({ speaker, startMs, endMs, text, confidence }) => ({ speaker, startMs, endMs, text, confidence: Number(confidence) }));
  }

  async transcriptionOf(candidateId: string): Promise<TranscriptionRow | undefined> {
    const [raw] = await this.#connection().execute<RawTranscriptionRow[]>(`${SELECT_TRANSCRIPTION} where t.candidate_id = ?`, [candidateId]);
    return raw && toTranscriptionRow(raw);
  }

  /** Claims the transcription for a run (see JobRows.claim); the row, or undefined when it is gone or settled. */
  async claimTranscription(id: string): Promise<TranscriptionRow | undefined> {
    if (!(await this.transcriptions.claim(id))) return undefined;
    const [raw] = await this.#connection().execute<RawTranscriptionRow[]>(`${SELECT_TRANSCRIPTION} where t.id = ? and t.status = 'RUNNING'`, [id]);
    return raw && toTranscriptionRow(raw);
  }

  /** DONE with its transcript (replacing any earlier one of the candidate). */
  async markTranscribed(tx: EntityManager, row: TranscriptionRow, engine: string, transcript: TranscriptRow[]): Promise<void> {
    await tx.nativeDelete(TranscriptSegment, { candidate: row.candidateId });
    if (transcript.length)
      await tx.insertMany(
        TranscriptSegment,
        transcript.map((s) => ({ id: randomUUID(), interview: row.interviewId, candidate: row.candidateId, ...s })),
      );
    await tx.execute(`update transcriptions set status = 'DONE', engine = ?, progress = 1, error = null, done_at = now() where id = ?`, [engine, row.id], 'run');
  }

  /** Keeps a failed run's error and the status it leaves (PENDING to retry, FAILED); `tx` when the failure commits with more. */
  async markTranscriptionFailedAttempt(id: string, error: string, status: TranscriptionStatus, tx?: EntityManager): Promise<void> {
    const sql = `update transcriptions set error = ?, status = ?${status === TranscriptionStatus.FAILED ? ', done_at = now()' : ''} where id = ? and status in ('PENDING', 'RUNNING')`;
    await (tx ? tx.execute(sql, [error, status, id], 'run') : this.#connection().execute(sql, [error, status, id], 'run'));
  }

  /**
   * Retention: transcripts and speaking segments go with the recordings they came from, once the
   * interview ended longer ago than its retention (the org's, or the interview's own when shorter).
   */
  async deleteExpired(now: Date): Promise<number> {
    const expired = `select i.id from interviews i join orgs o on o.id = i.org_id
      where i.ended_at is not null
        and i.ended_at < ?::timestamptz - make_interval(days => least(o.retention_days, coalesce((i.config->>'retentionDays')::int, o.retention_days)))`;
    const connection = this.#connection();
    let deleted = 0;
    for (const table of ['transcript_segments', 'speaking_segments', 'speech_analyses', 'transcriptions']) {
      const result = await connection.execute(`delete from ${table} where interview_id in (${expired})`, [now], 'run');
      deleted += (result as { affectedRows?: number }).affectedRows ?? 0;
    }
    return deleted;
  }

  #connection() {
    return this.#orm.em.getConnection();
  }
}
