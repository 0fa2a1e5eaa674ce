// The report sections other parts of the platform produce: evidence snapshots (linked to
// violations by the candidate page), stream-quality summaries and recordings (persisted by the
// SFU). Each is optional: a section with nothing found renders "None recorded".
//
// MERGE NOTE: `loadMediaSections` is the one function to wire once those features land: fill
// `streamQuality` from the SFU's stream-quality table, and switch evidence/recordings to their
// tables if they gain one (today both are read from the data-dir layout the teams agreed on).
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { ViolationType } from '../db/entities.ts';
import type { EvidenceSnapshot, MediaSections, RecordingReference } from './report-input.ts';

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
    streamQuality: undefined, // no stream-quality table on this branch yet (see the merge note)
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
      // A file that is missing (swept by retention) or is not a JPEG is left out, not fatal.
      return jpeg && jpeg[0] === 0xff && jpeg[1] === 0xd8 ? { takenAt: s.at, type: s.type, violationId: s.violationId, jpeg } : undefined;
    }),
  );
  return found.filter((s) => s !== undefined).sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime());
}

/** Recordings live at <dataDir>/recordings/<interviewId>/<candidateId>-<startedAtMs>.webm|.mkv */
async function loadRecordings({ dataDir, interviewId, candidateId }: MediaSectionsQuery): Promise<RecordingReference[]> {
  const dir = join(dataDir, 'recordings', interviewId);
  const names = await readdir(dir).catch(() => [] as string[]);
  const pattern = new RegExp(`^${candidateId}-(\\d+)\\.(webm|mkv)$`);
  const recordings: RecordingReference[] = [];
  for (const name of names) {
    const match = pattern.exec(name);
    if (!match) continue;
    const info = await stat(join(dir, name)).catch(() => undefined);
    if (info) recordings.push({ path: `recordings/${interviewId}/${name}`, startedAt: new Date(Number(match[1])), bytes: info.size });
  }
  return recordings.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
}
