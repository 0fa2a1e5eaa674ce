// The report sections other parts of the platform produce: evidence snapshots (linked to
// violations by the candidate page), stream-quality summaries and recordings (persisted by the
// SFU). Each is optional: a section with nothing found renders "None recorded".
import { readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { ViolationType } from '../db/entities.ts';
import { parseTimestamp } from '../db/timestamps.ts';
import type { EvidenceSnapshot, MediaSections, RecordingReference, StreamQualitySummary } from './report-input.ts';

export interface MediaSectionsQuery {
  orm: MikroORM;
  dataDir: string;
  interviewId: string;
  candidateId: string;
  /** The candidate's violations that carry a snapshot link. */
  snapshots: { violationId: string; type: ViolationType; at: Date; snapshotUrl: string }[];
}

export type MediaSectionsLoader = (query: MediaSectionsQuery) => Promise<MediaSections>;

export async function loadMediaSections(query: MediaSectionsQuery): Promise<MediaSections> {
  return {
    evidence: await loadEvidence(query),
    streamQuality: await loadStreamQuality(query),
    recordings: await loadRecordings(query),
  };
}

/** Snapshots live at <dataDir>/snapshots/<interviewId>/<uuid>.jpg; a link names the file. */
async function loadEvidence({ dataDir, interviewId, snapshots }: MediaSectionsQuery): Promise<EvidenceSnapshot[]> {
  const dir = join(dataDir, 'snapshots', interviewId);
  const found = await Promise.all(
    snapshots.map(async (s) => {
      const file = basename(new URL(s.snapshotUrl, 'file:///').pathname);
      if (!/^[\w-]+\.jpe?g$/i.test(file)) return undefined;
      const jpeg = await readFile(join(dir, file)).catch(() => undefined);
      // A file that is missing (swept by retention) is left out; one that is not a usable JPEG is
      // kept, and the PDF says it could not be rendered.
      return jpeg ? { takenAt: s.at, type: s.type, violationId: s.violationId, jpeg } : undefined;
    }),
  );
  return found.filter((s) => s !== undefined).sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime());
}

/** The SFU folds its 2 s samples into one row per candidate (camera and mic together). */
async function loadStreamQuality({ orm, interviewId, candidateId }: MediaSectionsQuery): Promise<StreamQualitySummary[]> {
  const rows = await orm.em
    .getConnection()
    .execute<{ samples: number; avg_bitrate_kbps: number; avg_packet_loss_pct: number; avg_jitter_ms: number; avg_rtt_ms: number; min_score: number }[]>(
      `select samples, avg_bitrate_kbps, avg_packet_loss_pct, avg_jitter_ms, avg_rtt_ms, min_score
       from stream_quality_summaries where interview_id = ? and candidate_id = ?`,
      [interviewId, candidateId],
    );
  return rows.map((row) => ({
    kind: 'Camera + microphone',
    samples: Number(row.samples),
    avgBitrateKbps: Number(row.avg_bitrate_kbps),
    avgPacketLossPct: Number(row.avg_packet_loss_pct),
    avgJitterMs: Number(row.avg_jitter_ms),
    avgRttMs: Number(row.avg_rtt_ms),
    minScore: Number(row.min_score),
  }));
}

/** The SFU's recordings of the candidate (a reconnect or worker restart starts a new file); a file swept by retention is left out. */
async function loadRecordings({ orm, dataDir, interviewId, candidateId }: MediaSectionsQuery): Promise<RecordingReference[]> {
  const rows = await orm.em
    .getConnection()
    .execute<{ path: string; started_at: string }[]>('select path, started_at from recordings where interview_id = ? and candidate_id = ? order by started_at', [
      interviewId,
      candidateId,
    ]);
  const recordings: RecordingReference[] = [];
  for (const row of rows) {
    const info = await stat(row.path).catch(() => undefined);
    if (info) recordings.push({ path: relative(dataDir, row.path), startedAt: parseTimestamp(row.started_at), bytes: info.size });
  }
  return recordings;
}
