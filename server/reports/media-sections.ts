// The report sections other parts of the platform produce: evidence snapshots (linked to
// violations by the candidate page), stream-quality summaries and recordings (persisted by the
// SFU). Each is optional: a section with nothing found renders "None recorded".
import { readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { ViolationType } from '../db/entities.ts';
import { QualityStore } from '../media/quality-store.ts';
import { RecordingStore } from '../media/recording-store.ts';
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
  const summaries = await new QualityStore(orm).summariesOf(interviewId, candidateId);
  return summaries.map((summary) => ({ kind: 'Camera + microphone', ...summary }));
}

/** The SFU's recordings of the candidate (a reconnect or worker restart starts a new file); a file swept by retention is left out. */
async function loadRecordings({ orm, dataDir, interviewId, candidateId }: MediaSectionsQuery): Promise<RecordingReference[]> {
  const recordings: RecordingReference[] = [];
  for (const file of await new RecordingStore(orm).ofCandidate(interviewId, candidateId)) {
    const info = await stat(file.path).catch(() => undefined);
    if (info) recordings.push({ path: relative(dataDir, file.path), startedAt: file.startedAt, bytes: info.size });
  }
  return recordings;
}
