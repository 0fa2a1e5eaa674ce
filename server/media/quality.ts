// Stream quality as the SFU measures it on the candidate's incoming streams: bitrate summed over
// streams, the worst loss / jitter / RTT and score among them. Folded into one summary row per
// candidate (running averages, minimum score) for the report.
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { ProducerStats } from '../../sfu/types.ts';

export interface QualitySample {
  bitrateKbps: number;
  packetLossPct: number;
  jitterMs: number;
  rttMs: number;
  /** 0–10 (mediasoup's score of the worst stream). */
  score: number;
}

export interface ProducerSample {
  /** RTP clock rate of the producer's codec: mediasoup reports jitter in RTP timestamp units. */
  clockRate: number;
  stats: ProducerStats[];
}

export function qualityOf(producers: ProducerSample[]): QualitySample | undefined {
  const streams = producers.flatMap(({ clockRate, stats }) => stats.map((stat) => ({ stat, clockRate })));
  if (streams.length === 0) return undefined;
  let bitrate = 0;
  let loss = 0;
  let jitter = 0;
  let rtt = 0;
  let score = 10;
  for (const { stat, clockRate } of streams) {
    bitrate += stat.bitrate;
    // fractionLost is RTCP's fraction in 1/256ths over the last report interval.
    loss = Math.max(loss, (stat.fractionLost / 256) * 100);
    jitter = Math.max(jitter, (stat.jitter / clockRate) * 1000);
    rtt = Math.max(rtt, stat.roundTripTime ?? 0);
    score = Math.min(score, stat.score);
  }
  return { bitrateKbps: round(bitrate / 1000), packetLossPct: round(loss), jitterMs: round(jitter), rttMs: round(rtt), score };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
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

export function saveQualitySample(orm: MikroORM, interviewId: string, candidateId: string, sample: QualitySample, at: Date): Promise<unknown> {
  return orm.em
    .getConnection()
    .execute(
      UPSERT_SUMMARY,
      [randomUUID(), interviewId, candidateId, candidateId, sample.bitrateKbps, sample.packetLossPct, sample.jitterMs, sample.rttMs, sample.score, at, at],
      'run',
    );
}
