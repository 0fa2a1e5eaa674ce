// The reports table and what a report is built from, in SQL: the report service reaches the
// database through here only. Rows go in and come out typed and camelCased; timestamps as Dates.
// Plain statements rather than entities: a report's PDF is a large blob that the entity would
// load with the row, and the claim and failure updates must be single conditional statements.
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import {
  ReportStatus,
  type InterviewConfig,
  type TranscriptionStatus,
  type ReviewDecision,
  type ReviewStatus,
  type ReviewVerdict,
  type Severity,
  type ViolationType,
} from '../db/entities.ts';
import { parseTimestamp } from '../db/timestamps.ts';
import { reviewOf, type RawReviewColumns } from '../reviews/review-store.ts';
import type { CandidateReview, CandidateStatement, ReportInput, ReportViolation, TimelineRow } from './report-input.ts';
import type { Scores } from './scoring.ts';
import type { Accommodations } from '../../contract/accommodations.ts';

/** Counts and timeline as stored with a READY report (the API serves them without the PDF). */
export interface ReportMetrics {
  counts: ReportInput['counts'];
  timeline: TimelineRow[];
  /** The candidate's accommodations the report applied (absent before they existed). */
  accommodations?: Accommodations | null;
}

/** A report with its candidate's name and its org, as the API lists it. */
export interface ReportRow {
  id: string;
  interviewId: string;
  candidateId: string;
  candidateName: string;
  orgId: string;
  status: ReportStatus;
  attempts: number;
  error: string | null;
  scoreFocus: number | null;
  scoreIntegrity: number | null;
  scoreComposite: number | null;
  summary: string | null;
  aiSummary: string | null;
  metrics: ReportMetrics | null;
  violationLogSha256: string | null;
  pdfBytes: number | null;
  generatedAt: Date | null;
  createdAt: Date;
  /** The candidate's review status now. */
  reviewStatus: ReviewStatus;
  /** The latest version (null until READY once). */
  latest: ReportVersionRow | null;
}

/** A reviewed violation as a report version records it. */
export interface Verdict {
  violationId: string;
  verdict: ReviewVerdict;
}

/** One READY rendering of a report: what it was built from and what it said. */
export interface ReportVersionRow {
  version: number;
  violationLogSha256: string;
  scores: Scores;
  reviewedScores: Scores | null;
  verdicts: Verdict[];
  review: CandidateReview | null;
  /** The transcription it was made with: PENDING while still to come, DONE, FAILED or OFF; null without speech analysis. */
  transcriptStatus: TranscriptionStatus | null;
  pdfBytes: number;
  generatedAt: Date;
}

/** The interview and candidate a report is about. */
export interface ReportSubject {
  interviewId: string;
  title: string;
  startedAt: Date | null;
  endedAt: Date | null;
  config: InterviewConfig;
  candidateId: string;
  name: string;
  email: string;
  aiSummary: string | null;
  review: CandidateReview | null;
  accommodations: Accommodations | null;
}

/** A violation as the report reads it, with its evidence snapshot's link. */
export interface ViolationRecord extends ReportViolation {
  snapshotUrl: string | null;
}

/** A proctoring event with its violation's severity (null when it belongs to none). */
export interface EventRecord {
  type: ViolationType;
  occurredAt: Date;
  durationMs: number;
  severity: Severity | null;
  /** Its violation was dismissed by a reviewer. */
  dismissed: boolean;
  /** Its violation was covered by the candidate's accommodations. */
  accommodated: boolean;
}

/** What a READY report keeps. */
export interface ReadyReport {
  scoreFocus: number;
  scoreIntegrity: number;
  scoreComposite: number;
  summary: string;
  aiSummary: string | null;
  metrics: ReportMetrics;
  violationLogSha256: string;
  pdf: Buffer;
  generatedAt: Date;
  /** What the new version records besides. */
  scores: Scores;
  reviewedScores: Scores | null;
  verdicts: Verdict[];
  review: CandidateReview | null;
  transcriptStatus: TranscriptionStatus | null;
}

/** A report version's row; jsonb comes back parsed, timestamps as text. */
interface RawVersion {
  version: number;
  violation_log_sha256: string;
  scores: Scores;
  reviewed_scores: Scores | null;
  verdicts: Verdict[];
  /** A version made before statements existed has none. */
  review: (Omit<CandidateReview, 'at' | 'statement'> & { at: string; statement?: { text: string; submittedAt: string } | null }) | null;
  transcript_status: TranscriptionStatus | null;
  pdf_bytes: number;
  generated_at: string;
}

interface RawReport {
  id: string;
  interview_id: string;
  candidate_id: string;
  candidate_name: string;
  org_id: string;
  status: ReportStatus;
  attempts: number;
  error: string | null;
  score_focus: number | null;
  score_integrity: number | null;
  score_composite: number | null;
  summary: string | null;
  ai_summary: string | null;
  metrics: ReportMetrics | null;
  violation_log_sha256: string | null;
  pdf_bytes: number | null;
  generated_at: string | null;
  created_at: string;
  review_status: ReviewStatus;
  version: number | null;
  /** The latest version's columns, prefixed (null when there is none). */
  v_violation_log_sha256: string | null;
  v_scores: Scores | null;
  v_reviewed_scores: Scores | null;
  v_verdicts: Verdict[] | null;
  v_review: RawVersion['review'];
  v_transcript_status: TranscriptionStatus | null;
  v_pdf_bytes: number | null;
  v_generated_at: string | null;
}

const VERSION_COLUMNS = 'version, violation_log_sha256, scores, reviewed_scores, verdicts, review, transcript_status, pdf_bytes, generated_at';
const REPORT_COLUMNS = `r.id, r.interview_id, r.candidate_id, c.name as candidate_name, i.org_id, r.status, r.attempts, r.error,
  r.score_focus, r.score_integrity, r.score_composite, r.summary, r.ai_summary, r.metrics, r.violation_log_sha256,
  r.pdf_bytes, r.generated_at, r.created_at, c.review_status, r.version,
  ${VERSION_COLUMNS.split(', ')
    .filter((column) => column !== 'version')
    .map((column) => `rv.${column} as v_${column}`)
    .join(', ')}`;
const REPORT_FROM = `reports r join interviews i on i.id = r.interview_id join candidates c on c.id = r.candidate_id
  left join report_versions rv on rv.report_id = r.id and rv.version = r.version`;

export class ReportStore {
  readonly #orm: MikroORM;

  constructor(orm: MikroORM) {
    this.#orm = orm;
  }

  /** Runs `work` in one transaction; the store's methods that take a `tx` join it. */
  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.#orm.em.fork().transactional(work);
  }

  /** A PENDING report per candidate of the interview, once however often this runs; the ids made now. */
  async recordPending(tx: EntityManager, interviewId: string): Promise<string[]> {
    const created = await tx.execute<{ id: string }[]>(
      `insert into reports (id, interview_id, candidate_id, status, attempts, created_at)
       select gen_random_uuid(), c.interview_id, c.id, 'PENDING', 0, now() from candidates c where c.interview_id = ?
       on conflict (interview_id, candidate_id) do nothing returning id`,
      [interviewId],
    );
    return created.map((row) => row.id);
  }

  /** PENDING reports recorded more than `olderThanMs` ago. */
  async pendingOlderThan(olderThanMs: number): Promise<string[]> {
    const rows = await this.#connection().execute<{ id: string }[]>(`select id from reports where status = 'PENDING' and created_at < now() - make_interval(secs => ?)`, [
      olderThanMs / 1000,
    ]);
    return rows.map((row) => row.id);
  }

  /** Counts a generation attempt; its number, or undefined when the report is gone. */
  async claim(reportId: string): Promise<number | undefined> {
    const [claimed] = await this.#connection().execute<{ attempts: number }[]>('update reports set attempts = attempts + 1 where id = ? returning attempts', [reportId]);
    return claimed?.attempts;
  }

  /** The report's status, and the digest, completed review and candidate's statement (their times) and transcription its latest version was built from. */
  async statusOf(
    reportId: string,
  ): Promise<
    { status: ReportStatus; violationLogSha256: string | null; reviewedAt: Date | null; statementAt: Date | null; transcriptStatus: TranscriptionStatus | null } | undefined
  > {
    const [row] = await this.#connection().execute<
      { status: ReportStatus; violation_log_sha256: string | null; reviewed_at: string | null; statement_at: string | null; transcript_status: TranscriptionStatus | null }[]
    >(
      `select r.status, r.violation_log_sha256, rv.review->>'at' as reviewed_at, rv.review->'statement'->>'submittedAt' as statement_at, rv.transcript_status
         from reports r left join report_versions rv on rv.report_id = r.id and rv.version = r.version where r.id = ?`,
      [reportId],
    );
    const date = (value: string | null) => (value === null ? null : new Date(value));
    return (
      row && {
        status: row.status,
        violationLogSha256: row.violation_log_sha256,
        reviewedAt: date(row.reviewed_at),
        statementAt: date(row.statement_at),
        transcriptStatus: row.transcript_status,
      }
    );
  }

  /** A completed review (or the candidate's statement on it, or a settled transcription) asks for a new version: the report is PENDING again, with fresh attempts; its id. */
  async markForNewVersion(tx: EntityManager, interviewId: string, candidateId: string): Promise<string | undefined> {
    const [row] = await tx.execute<{ id: string }[]>(
      `update reports set status = 'PENDING', attempts = 0, error = null where interview_id = ? and candidate_id = ? returning id`,
      [interviewId, candidateId],
    );
    return row?.id;
  }

  /** Every version of the report, oldest first. */
  async versionsOf(reportId: string): Promise<ReportVersionRow[]> {
    const rows = await this.#connection().execute<RawVersion[]>(`select ${VERSION_COLUMNS} from report_versions where report_id = ? order by version`, [reportId]);
    return rows.map(toVersionRow);
  }

  /** READY, as a new version (two racing renderings collide on the version's uniqueness: one retries). */
  async markReady(tx: EntityManager, reportId: string, report: ReadyReport): Promise<void> {
    const [{ next }] = (await tx.execute<{ next: number }[]>('select coalesce(max(version), 0) + 1 as next from report_versions where report_id = ?', [reportId])) as [
      { next: number },
    ];
    await tx.execute(
      `insert into report_versions (id, report_id, version, violation_log_sha256, scores, reviewed_scores, verdicts, review, transcript_status, pdf_bytes, generated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        randomUUID(),
        reportId,
        next,
        report.violationLogSha256,
        JSON.stringify(report.scores),
        report.reviewedScores && JSON.stringify(report.reviewedScores),
        JSON.stringify(report.verdicts),
        report.review && JSON.stringify(report.review),
        report.transcriptStatus,
        report.pdf.length,
        report.generatedAt,
      ],
    );
    await tx.execute(
      `update reports set status = 'READY', error = null, score_focus = ?, score_integrity = ?, score_composite = ?, summary = ?, ai_summary = ?,
         metrics = ?, violation_log_sha256 = ?, pdf = ?, pdf_bytes = ?, generated_at = ?, version = ? where id = ?`,
      [
        report.scoreFocus,
        report.scoreIntegrity,
        report.scoreComposite,
        report.summary,
        report.aiSummary,
        JSON.stringify(report.metrics),
        report.violationLogSha256,
        report.pdf,
        report.pdf.length,
        report.generatedAt,
        next,
        reportId,
      ],
    );
  }

  /** Keeps a failed attempt's error, and the status it leaves (PENDING to retry, FAILED); a READY report stays READY. */
  async markFailedAttempt(reportId: string, error: string, status: ReportStatus): Promise<void> {
    await this.#connection().execute(`update reports set error = ?, status = ? where id = ? and status <> 'READY'`, [error, status, reportId]);
  }

  async subjectOf(reportId: string): Promise<ReportSubject | undefined> {
    const [row] = await this.#connection().execute<
      (RawReviewColumns & {
        review_decision: ReviewDecision | null;
        interview_id: string;
        title: string;
        started_at: string | null;
        ended_at: string | null;
        config: InterviewConfig;
        candidate_id: string;
        name: string;
        email: string;
        ai_summary: string | null;
        statement_text: string | null;
        statement_submitted_at: string | null;
        accommodations: Accommodations | null;
      })[]
    >(
      `select i.id as interview_id, i.title, i.started_at, i.ended_at, i.config, c.id as candidate_id, c.name, c.email, r.ai_summary, c.accommodations,
         c.review_decision, c.review_note, c.reviewed_by_kind, c.reviewed_by_id, c.reviewed_by, c.reviewed_at, c.statement_text, c.statement_submitted_at
       from ${REPORT_FROM} where r.id = ?`,
      [reportId],
    );
    if (!row) return undefined;
    // A decision is the review's end: verdicts alone do not make a review.
    const review = reviewOf('decision', row.review_decision, row);
    return {
      interviewId: row.interview_id,
      title: row.title,
      startedAt: parseTimestamp(row.started_at),
      endedAt: parseTimestamp(row.ended_at),
      config: row.config,
      candidateId: row.candidate_id,
      name: row.name,
      email: row.email,
      aiSummary: row.ai_summary,
      accommodations: row.accommodations,
      review: review && { ...review, statement: statementOf(row.statement_text, row.statement_submitted_at) },
    };
  }

  /** The candidate's violations in the interview, by time then id. */
  async violationsOf(interviewId: string, candidateId: string): Promise<ViolationRecord[]> {
    const rows = await this.#connection().execute<
      {
        id: string;
        type: ViolationType;
        severity: Severity;
        timestamp: string;
        count: number;
        duration_ms: number;
        snapshot_url: string | null;
        review_verdict: ReviewVerdict | null;
        accommodated: boolean;
      }[]
    >(
      'select id, type, severity, timestamp, count, duration_ms, snapshot_url, review_verdict, accommodated from violations where interview_id = ? and candidate_id = ? order by timestamp, id',
      [interviewId, candidateId],
    );
    return rows.map((v) => ({
      id: v.id,
      type: v.type,
      severity: v.severity,
      at: parseTimestamp(v.timestamp),
      count: v.count,
      durationMs: v.duration_ms,
      snapshotUrl: v.snapshot_url,
      verdict: v.review_verdict,
      accommodated: v.accommodated,
    }));
  }

  /** The candidate's proctoring events, in the order they happened. */
  async eventsOf(candidateId: string): Promise<EventRecord[]> {
    const rows = await this.#connection().execute<
      { type: ViolationType; occurred_at: string; duration_ms: number; severity: Severity | null; dismissed: boolean; accommodated: boolean }[]
    >(
      `select e.type, e.occurred_at, e.duration_ms, v.severity, coalesce(v.review_verdict = 'DISMISSED', false) as dismissed, coalesce(v.accommodated, false) as accommodated
       from events e join sessions s on s.id = e.session_id
       left join violations v on v.id = e.violation_id where s.candidate_id = ? order by e.occurred_at`,
      [candidateId],
    );
    return rows.map((e) => ({
      type: e.type,
      occurredAt: parseTimestamp(e.occurred_at),
      durationMs: e.duration_ms,
      severity: e.severity,
      dismissed: e.dismissed,
      accommodated: e.accommodated,
    }));
  }

  /** The interview's reports in the order its candidates were invited; undefined when the org has no such interview. */
  async listForInterview(interviewId: string, orgId: string): Promise<ReportRow[] | undefined> {
    const connection = this.#connection();
    const rows = await connection.execute<RawReport[]>(`select ${REPORT_COLUMNS} from ${REPORT_FROM} where r.interview_id = ? and i.org_id = ? order by c.created_at, c.id`, [
      interviewId,
      orgId,
    ]);
    if (rows.length === 0) {
      const [exists] = await connection.execute('select 1 from interviews where id = ? and org_id = ?', [interviewId, orgId]);
      if (!exists) return undefined;
    }
    return rows.map(toReportRow);
  }

  /** The report's status, PDF and candidate's name; `orgId` (when given) must own it. */
  async pdfOf(reportId: string, orgId: string | undefined): Promise<{ status: ReportStatus; pdf: Buffer | null; candidateName: string } | undefined> {
    const [row] = await this.#connection().execute<{ status: ReportStatus; pdf: Buffer | null; name: string }[]>(
      `select r.status, r.pdf, c.name from ${REPORT_FROM} where r.id = ?${orgId === undefined ? '' : ' and i.org_id = ?'}`,
      orgId === undefined ? [reportId] : [reportId, orgId],
    );
    return row && { status: row.status, pdf: row.pdf, candidateName: row.name };
  }

  async orgOf(reportId: string): Promise<string> {
    const [row] = await this.#connection().execute<{ org_id: string }[]>(`select i.org_id from ${REPORT_FROM} where r.id = ?`, [reportId]);
    return row!.org_id;
  }

  #connection() {
    return this.#orm.em.getConnection();
  }
}

function toReportRow(row: RawReport): ReportRow {
  return {
    id: row.id,
    interviewId: row.interview_id,
    candidateId: row.candidate_id,
    candidateName: row.candidate_name,
    orgId: row.org_id,
    status: row.status,
    attempts: row.attempts,
    error: row.error,
    scoreFocus: row.score_focus,
    scoreIntegrity: row.score_integrity,
    scoreComposite: row.score_composite,
    summary: row.summary,
    aiSummary: row.ai_summary,
    metrics: row.metrics,
    violationLogSha256: row.violation_log_sha256,
    pdfBytes: row.pdf_bytes,
    generatedAt: parseTimestamp(row.generated_at),
    createdAt: parseTimestamp(row.created_at),
    reviewStatus: row.review_status,
    latest:
      row.version === null
        ? null
        : toVersionRow({
            version: row.version,
            violation_log_sha256: row.v_violation_log_sha256!,
            scores: row.v_scores!,
            reviewed_scores: row.v_reviewed_scores,
            verdicts: row.v_verdicts!,
            review: row.v_review,
            transcript_status: row.v_transcript_status,
            pdf_bytes: row.v_pdf_bytes!,
            generated_at: row.v_generated_at!,
          }),
  };
}

function toVersionRow(row: RawVersion): ReportVersionRow {
  return {
    version: row.version,
    violationLogSha256: row.violation_log_sha256,
    scores: row.scores,
    reviewedScores: row.reviewed_scores,
    verdicts: row.verdicts,
    review: row.review && {
      ...row.review,
      at: new Date(row.review.at),
      statement: row.review.statement ? { ...row.review.statement, submittedAt: new Date(row.review.statement.submittedAt) } : null,
    },
    transcriptStatus: row.transcript_status,
    pdfBytes: row.pdf_bytes,
    generatedAt: parseTimestamp(row.generated_at),
  };
}

/** The candidate's statement held in a candidate row's columns, or null when there is none. */
export function statementOf(text: string | null, submittedAt: string | Date | null): CandidateStatement | null {
  if (text === null || submittedAt === null) return null;
  return { text, submittedAt: parseTimestamp(submittedAt) };
}
