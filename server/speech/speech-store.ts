// The speech tables: one analysis row per candidate, their speaking segments and transcript
// segments (both participants, on the interview clock). A new analysis replaces the old one whole.
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { SpeakingSegment, SpeechAnalysis, TranscriptSegment, type Speaker, type SpeechStatus } from '../db/entities.ts';

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
  engine: string | null;
  note: string | null;
  analysedAt: Date;
}

export interface AnalysisResult {
  status: SpeechStatus;
  engine: string | null;
  note: string | null;
  speaking: SpeakingRow[];
  transcript: TranscriptRow[];
}

/** Longest search text: a phrase, not a document. */
export const MAX_QUERY_LENGTH = 200;

export class SpeechStore {
  readonly #orm: MikroORM;

  constructor(orm: MikroORM) {
    this.#orm = orm;
  }

  async save(interviewId: string, candidateId: string, result: AnalysisResult): Promise<void> {
    await this.#orm.em.fork().transactional(async (tx) => {
      await tx.nativeDelete(SpeakingSegment, { candidate: candidateId });
      await tx.nativeDelete(TranscriptSegment, { candidate: candidateId });
      await tx.nativeDelete(SpeechAnalysis, { candidate: candidateId });
      // Native inserts skip the entities' onCreate: ids are given here.
      const owner = { interview: interviewId, candidate: candidateId };
      await tx.insert(SpeechAnalysis, { id: randomUUID(), ...owner, status: result.status, engine: result.engine, note: result.note, analysedAt: new Date() });
      if (result.speaking.length)
        await tx.insertMany(
          SpeakingSegment,
          result.speaking.map((s) => ({ id: randomUUID(), ...owner, ...s })),
        );
      if (result.transcript.length)
        await tx.insertMany(
          TranscriptSegment,
          result.transcript.map((s) => ({ id: randomUUID(), ...owner, ...s })),
        );
    });
  }

  async analysisOf(candidateId: string): Promise<AnalysisRow | undefined> {
    const row = await this.#orm.em.fork().findOne(SpeechAnalysis, { candidate: candidateId });
    return row ? { status: row.status, engine: row.engine ?? null, note: row.note ?? null, analysedAt: row.analysedAt } : undefined;
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

  /**
   * Retention: transcripts and speaking segments go with the recordings they came from, once the
   * interview ended longer ago than its retention (the org's, or the interview's own when shorter).
   */
  async deleteExpired(now: Date): Promise<number> {
    const expired = `select i.id from interviews i join orgs o on o.id = i.org_id
      where i.ended_at is not null
        and i.ended_at < ?::timestamptz - make_interval(days => least(o.retention_days, coalesce((i.config->>'retentionDays')::int, o.retention_days)))`;
    const connection = this.#orm.em.getConnection();
    let deleted = 0;
    for (const table of ['transcript_segments', 'speaking_segments', 'speech_analyses']) {
      const result = await connection.execute(`delete from ${table} where interview_id in (${expired})`, [now], 'run');
      deleted += (result as { affectedRows?: number }).affectedRows ?? 0;
    }
    return deleted;
  }
}
