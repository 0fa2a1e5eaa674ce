// Stream quality as the SFU measures it on the candidate's incoming streams: bitrate summed over
// streams, the worst loss / jitter / RTT and score among them. QualityStore folds the samples into
// one summary row per candidate for the report.
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
