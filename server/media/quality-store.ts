// The stream_quality_summaries table: one row per candidate, folded from the SFU's samples
// (running averages, minimum score) and read back for the report.
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { QualitySample } from './quality.ts';

/** A candidate's folded stream quality (camera and mic together). */
export interface QualitySummary {
  samples: number;
  avgBitrateKbps: number;
  avgPacketLossPct: number;
  avgJitterMs: number;
  avgRttMs: number;
  minScore: number;
}

/** One upsert per sample: the averages fold in SQL, so concurrent processes never lose a sample. */
const UPSERT_SUMMARY = `
  insert into stream_quality_summaries
    (id, interview_id, candidate_id, session_id, samples, avg_bitrate_kbps, avg_packet_loss_pct, avg_jitter_ms, avg_rtt_ms, min_score, first_at, last_at)
  values (?, ?, ?, (select id from sessions where candidate_id = ? order by start_time desc limit 1), 1, ?, ?, ?, ?, ?, ?, ?)
  on conflict (candidate_id) do update set
    session_id = coalesce(excluded.session_id, stream_quality_summaries.session_id),
    samples = stream_quality_summaries.samples + 1,
    avg_bitrate_kbps = (stream_quality_summaries.avg_bitrate_kbps * stream_quality_summaries.samples + excluded.avg_bitrate_kbps) / (stream_quality_summaries.samples + 1),
    avg_packet_loss_pct = (stream_quality_summaries.avg_packet_loss_pct * stream_quality_summaries.samples + excluded.avg_packet_loss_pct) / (stream_quality_summaries.samples + 1),
    avg_jitter_ms = (stream_quality_summaries.avg_jitter_ms * stream_quality_summaries.samples + excluded.avg_jitter_ms) / (stream_quality_summaries.samples + 1),
    avg_rtt_ms = (stream_quality_summaries.avg_rtt_ms * stream_quality_summaries.samples + excluded.avg_rtt_ms) / (stream_quality_summaries.samples + 1),
    min_score = least(stream_quality_summaries.min_score, excluded.min_score),
    last_at = excluded.last_at`;

interface SummaryRow {
  samples: number;
  avg_bitrate_kbps: number;
  avg_packet_loss_pct: number;
  avg_jitter_ms: number;
  avg_rtt_ms: number;
  min_score: number;
}

export class QualityStore {
  readonly #orm: MikroORM;

  constructor(orm: MikroORM) {
    this.#orm = orm;
  }

  /** Folds one sample into the candidate's summary, tied to the candidate's latest session. */
  async record(interviewId: string, candidateId: string, sample: QualitySample, at: Date): Promise<void> {
    await this.#orm.em
      .getConnection()
      .execute(
        UPSERT_SUMMARY,
        [randomUUID(), interviewId, candidateId, candidateId, sample.bitrateKbps, sample.packetLossPct, sample.jitterMs, sample.rttMs, sample.score, at, at],
        'run',
      );
  }

  async summariesOf(interviewId: string, candidateId: string): Promise<QualitySummary[]> {
    const rows = await this.#orm.em.getConnection().execute<SummaryRow[]>(
      `select samples, avg_bitrate_kbps, avg_packet_loss_pct, avg_jitter_ms, avg_rtt_ms, min_score
           from stream_quality_summaries where interview_id = ? and candidate_id = ?`,
      [interviewId, candidateId],
    );
    return rows.map((row) => ({
      samples: Number(row.samples),
      avgBitrateKbps: Number(row.avg_bitrate_kbps),
      avgPacketLossPct: Number(row.avg_packet_loss_pct),
      avgJitterMs: Number(row.avg_jitter_ms),
      avgRttMs: Number(row.avg_rtt_ms),
      minScore: Number(row.min_score),
    }));
  }
}
