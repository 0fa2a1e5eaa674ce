// The plain model a report is built from: everything the PDF and the API show, with no database
// or file access. `buildReportInput` derives scores, counts, the timeline and the violation-log
// digest from raw rows; the loaders (load-report.ts, media-sections.ts) fetch those rows.
import { createHash } from 'node:crypto';
import type { ReviewDecision, ReviewVerdict, Severity, ViolationType } from '../db/entities.ts';
import type { QualitySummary } from '../media/quality-store.ts';
import type { Review } from '../reviews/review-store.ts';
import type { SpeechSection } from '../speech/speech.ts';
import { score, type ScoredEvent, type Scores } from './scoring.ts';
import type { Accommodations } from '../../contract/accommodations.ts';

export interface ReportViolation {
  id: string;
  type: ViolationType;
  severity: Severity;
  at: Date;
  count: number;
  durationMs: number;
  /** A reviewer's verdict, when there is one (part of the digested log then). */
  verdict?: ReviewVerdict | null | undefined;
  /** Covered by the candidate's accommodations (part of the digested log then). */
  accommodated?: boolean | undefined;
}

/** A proctoring event as a report scores it; `dismissed` when a reviewer dismissed its violation. */
export interface ReportEvent extends ScoredEvent {
  dismissed?: boolean;
}

/** The one written statement a candidate left on their completed review (a statement link), verbatim. */
export interface CandidateStatement {
  text: string;
  submittedAt: Date;
}

/** A candidate's completed review, with the candidate's statement once there is one. */
export type CandidateReview = Review<ReviewDecision, 'decision'> & { statement: CandidateStatement | null };

/** An evidence snapshot (JPEG bytes) and the violation it documents, when linked. */
export interface EvidenceSnapshot {
  takenAt: Date;
  type: ViolationType | null;
  violationId: string | null;
  jpeg: Uint8Array;
}

/** Media quality of the candidate's streams over the interview, as the SFU measured it. */
export interface StreamQualitySummary extends QualitySummary {
  /** Which streams the row covers, as the report prints it. */
  kind: string;
}

export interface RecordingReference {
  /** Path under the data dir, e.g. recordings/<interviewId>/<candidateId>-<startedAtMs>.webm */
  path: string;
  startedAt: Date;
  bytes: number;
}

/** Sections that other parts of the platform may or may not have recorded for an interview. */
export interface MediaSections {
  evidence?: EvidenceSnapshot[] | undefined;
  streamQuality?: StreamQualitySummary[] | undefined;
  recordings?: RecordingReference[] | undefined;
  /** Who spoke when (both participants) and the machine transcript. */
  speech?: SpeechSection | undefined;
}

export type TimelineCategory = 'FACE_MISSING' | 'MULTIPLE_FACES' | 'LOOKING_AWAY' | 'TAB_SWITCH' | 'AUDIO' | 'MEDIA_LOST';

/** The Gantt rows, in display order, and the violation types each one shows. */
export const TIMELINE_ROWS: { category: TimelineCategory; label: string; types: ViolationType[] }[] = [
  { category: 'FACE_MISSING', label: 'Face missing', types: ['FACE_MISSING'] },
  { category: 'MULTIPLE_FACES', label: 'Multiple faces', types: ['MULTIPLE_FACES'] },
  { category: 'LOOKING_AWAY', label: 'Looking away', types: ['LOOKING_AWAY'] },
  { category: 'TAB_SWITCH', label: 'Tab switch / blur', types: ['TAB_SWITCH', 'WINDOW_BLUR'] },
  { category: 'AUDIO', label: 'Audio', types: ['AUDIO_DETECTED'] },
  { category: 'MEDIA_LOST', label: 'Media lost', types: ['MEDIA_LOST', 'HEARTBEAT_LOST'] },
];

/** A bar on the timeline: offset from the interview start and length, in ms. */
export interface TimelineBar {
  startMs: number;
  durationMs: number;
}

export interface TimelineRow {
  category: TimelineCategory;
  label: string;
  bars: TimelineBar[];
  totalMs: number;
}

/** Bars closer than this are drawn as one: a report is read at minute scale. */
const MERGE_GAP_MS = 1_000;

export interface ReportInput {
  reportId: string;
  interview: { id: string; title: string; startedAt: Date; endedAt: Date };
  candidate: { id: string; name: string; email: string };
  generatedAt: Date;
  /** Automatic: every event counts. */
  scores: Scores;
  /** Once a review is completed: without the events of dismissed violations. */
  reviewedScores: Scores | null;
  /** The completed review the report was built from. */
  review: CandidateReview | null;
  /** The candidate's accommodations, when there were any. */
  accommodations: Accommodations | null;
  /** From an optional language model; the deterministic summary is always in `scores`. */
  aiSummary: string | null;
  counts: { type: ViolationType; count: number }[];
  violations: ReportViolation[];
  timeline: TimelineRow[];
  violationLogSha256: string;
  media: MediaSections;
}

export interface ReportSource {
  reportId: string;
  interview: ReportInput['interview'];
  candidate: ReportInput['candidate'];
  /** Individual proctoring events (with their violation's severity): scores and timeline. */
  events: ReportEvent[];
  /** Aggregated violations: the table, counts and the digest. */
  violations: ReportViolation[];
  media: MediaSections;
  generatedAt?: Date;
  aiSummary?: string | null;
  review?: CandidateReview | null;
  accommodations?: Accommodations | null;
}

export function buildReportInput(source: ReportSource): ReportInput {
  const { interview } = source;
  const counts = new Map<ViolationType, number>();
  for (const v of source.violations) counts.set(v.type, (counts.get(v.type) ?? 0) + v.count);
  return {
    reportId: source.reportId,
    interview,
    candidate: source.candidate,
    generatedAt: source.generatedAt ?? new Date(),
    scores: score({ startedAt: interview.startedAt, endedAt: interview.endedAt, events: source.events }),
    reviewedScores: source.review ? score({ startedAt: interview.startedAt, endedAt: interview.endedAt, events: source.events.filter((e) => !e.dismissed) }) : null,
    review: source.review ?? null,
    accommodations: source.accommodations ?? null,
    aiSummary: source.aiSummary ?? null,
    counts: [...counts].map(([type, count]) => ({ type, count })).sort((a, b) => b.count - a.count || a.type.localeCompare(b.type)),
    violations: source.violations,
    timeline: buildTimeline(interview.startedAt, interview.endedAt, source.events),
    violationLogSha256: violationLogDigest(source.violations),
    media: source.media,
  };
}

export function buildTimeline(startedAt: Date, endedAt: Date, events: ScoredEvent[]): TimelineRow[] {
  const start = startedAt.getTime();
  const lengthMs = Math.max(0, endedAt.getTime() - start);
  return TIMELINE_ROWS.map(({ category, label, types }) => {
    const spans = events
      .filter((e) => types.includes(e.type))
      .map((e) => {
        const from = Math.min(Math.max(e.occurredAt.getTime() - start, 0), lengthMs);
        return [from, Math.min(from + Math.max(e.durationMs, 0), lengthMs)] as [number, number];
      })
      .sort((a, b) => a[0] - b[0]);
    const bars: TimelineBar[] = [];
    let current: [number, number] | undefined;
    for (const span of spans) {
      if (current && span[0] - current[1] <= MERGE_GAP_MS) current[1] = Math.max(current[1], span[1]);
      else {
        if (current) bars.push({ startMs: current[0], durationMs: current[1] - current[0] });
        current = [...span];
      }
    }
    if (current) bars.push({ startMs: current[0], durationMs: current[1] - current[0] });
    return { category, label, bars, totalMs: bars.reduce((sum, bar) => sum + bar.durationMs, 0) };
  });
}

/**
 * The violation log in canonical form: one JSON line per violation, ordered by time then id,
 * with fixed field order, then a reviewer's verdict on the lines that have one and ACCOMMODATED on
 * those the candidate's accommodations covered. Anyone
 * holding the violations (the API serves them) can recompute it.
 */
export function canonicalViolationLog(violations: readonly ReportViolation[]): string {
  return [...violations]
    .sort((a, b) => a.at.getTime() - b.at.getTime() || a.id.localeCompare(b.id))
    .map(
      (v) =>
        `${JSON.stringify([v.id, v.type, v.severity, v.at.toISOString(), v.count, v.durationMs, ...(v.verdict ? [v.verdict] : []), ...(v.accommodated ? ['ACCOMMODATED'] : [])])}\n`,
    )
    .join('');
}

export function violationLogDigest(violations: readonly ReportViolation[]): string {
  return createHash('sha256').update(canonicalViolationLog(violations)).digest('hex');
}
