// Reports: one per candidate of an ended interview. Ending an interview records them PENDING (in
// the same transaction as the end) and enqueues generate-report; the job scores the candidate,
// renders the PDF and marks the report READY (or FAILED once its retries are spent, with the
// error kept for the API). Webhook deliveries are recorded in the transaction of what they
// announce; a job whose enqueue failed is enqueued again by the pending-work sweep. The first
// version does not wait for the transcript: it says the transcript is in progress, and the
// transcription's end (speech.ts) makes the next version.
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { reachesInterview, type OrgActor } from '../auth/actor.ts';
import type { TokenSigner } from '../auth/jwt.ts';
import { SignedLinks, type DownloadRequest } from '../auth/signed-links.ts';
import { ReportStatus, TranscriptionStatus, WebhookEvent, type ReviewStatus, type ViolationType } from '../db/entities.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { JobQueue } from '../jobs/job-runner.ts';
import type { Channel } from '../live/channel.ts';
import type { InterviewEvent } from '../live/events.ts';
import { severityOf } from '../live/severity.ts';
import type { Logger } from '../log.ts';
import * as validate from '../validate.ts';
import type { WebhookService } from '../webhooks/webhooks.ts';
import type { AiSummariser } from './llm-summary.ts';
import { loadMediaSections, type MediaSectionsLoader } from './media-sections.ts';
import { renderReportPdf } from './pdf.ts';
import { buildReportInput, type CandidateReview, type ReportEvent, type ReportInput, type ReportViolation, type TimelineRow } from './report-input.ts';
import { transcriptShown, type SpeechService } from '../speech/speech.ts';
import { ReportStore, type ReportRow, type ReportVersionRow, type Verdict } from './report-store.ts';
import type { AccommodatedCount, ScoreContribution } from './scoring.ts';
import type { Accommodations } from '../../contract/accommodations.ts';

export type { ReportVersionRow } from './report-store.ts';

export interface ReportServiceOptions {
  orm: MikroORM;
  signer: TokenSigner;
  logger: Logger;
  interviewEvents: Channel<InterviewEvent>;
  webhooks: WebhookService;
  dataDir: string;
  /** Generation runs before a report is FAILED. */
  attempts: number;
  downloadUrlTtlMs: number;
  /** Base URL of download links; undefined where no server listens (a worker without PROCTOR_PUBLIC_URL). */
  publicUrl: () => string | undefined;
  loadMedia?: MediaSectionsLoader;
  /** The optional language-model summary (PROCTOR_SUMMARY_LLM_URL). */
  aiSummary?: AiSummariser | undefined;
  /** Speaking segments (found first, then shown) and transcripts (shown once their own job is done). */
  speech?: SpeechService | undefined;
}

/** A report as the API serves it. */
export interface ReportView {
  id: string;
  interviewId: string;
  candidateId: string;
  candidateName: string;
  status: ReportStatus;
  attempts: number;
  error: string | null;
  scores: { focus: number; integrity: number; composite: number } | null;
  /** How the automatic scores came about (empty for a report made before explanations existed). */
  explanation: ScoreContribution[];
  /** Without the dismissed violations, once a review is completed. */
  reviewedScores: { focus: number; integrity: number; composite: number; summary: string } | null;
  reviewedExplanation: ScoreContribution[] | null;
  /** The candidate's accommodations the report applied (null: none). */
  accommodations: Accommodations | null;
  /** The events they covered, by type: recorded, not counted. */
  accommodated: AccommodatedCount[];
  /** The completed review the latest version was built from. */
  review: CandidateReview | null;
  /** The verdicts the latest version was built from. */
  verdicts: Verdict[];
  /** The candidate's review status now (a completed review shows in the report once its new version is READY). */
  reviewStatus: ReviewStatus;
  /** The latest READY version's number (1 for the first). */
  version: number | null;
  /** The transcription the latest version was made with (PENDING: its questions and answers are still to come). */
  transcriptStatus: TranscriptionStatus | null;
  summary: string | null;
  aiSummary: string | null;
  counts: { type: ViolationType; count: number }[];
  timeline: TimelineRow[];
  violationLogSha256: string | null;
  pdfBytes: number | null;
  generatedAt: Date | null;
  createdAt: Date;
  downloadUrl: string | null;
  downloadUrlExpiresAt: Date | null;
}

export class ReportService {
  readonly #options: ReportServiceOptions;
  readonly #store: ReportStore;
  readonly #loadMedia: MediaSectionsLoader;
  readonly #downloads: SignedLinks;
  #queue: JobQueue | undefined;

  constructor(options: ReportServiceOptions) {
    this.#options = options;
    this.#downloads = new SignedLinks(options.signer, 'report-download', options.downloadUrlTtlMs);
    this.#store = new ReportStore(options.orm);
    this.#loadMedia = options.loadMedia ?? loadMediaSections;
  }

  useQueue(queue: JobQueue): void {
    this.#queue = queue;
  }

  /**
   * Within the transaction that ends an interview: a PENDING report per candidate (once, however
   * often this runs) and the interview.completed deliveries. Returns what to do once that has
   * committed: enqueue their jobs.
   */
  async recordEnded(tx: EntityManager, orgId: string, interviewId: string): Promise<() => Promise<void>> {
    const created = await this.#store.recordPending(tx, interviewId);
    const deliveries = await this.#options.webhooks.record(tx, orgId, WebhookEvent.INTERVIEW_COMPLETED, {
      interviewId,
      endedAt: new Date().toISOString(),
      reports: created.length,
    });
    return async () => {
      await this.#enqueueCommitted(
        async () => {
          for (const reportId of created) await this.#queue?.enqueue('generate-report', { reportId });
        },
        { interviewId },
      );
      await this.#enqueueCommitted(() => this.#options.webhooks.enqueue(deliveries), { interviewId });
    };
  }

  /**
   * The pending-work sweep: enqueues PENDING reports recorded more than `olderThanMs` ago that
   * have no job. Returns how many it looked at.
   */
  async resumePending(olderThanMs: number): Promise<number> {
    const pending = await this.#store.pendingOlderThan(olderThanMs);
    for (const reportId of pending) await this.#queue?.enqueueOnce('generate-report', { reportId });
    return pending.length;
  }

  /** Enqueues jobs for committed rows: a failure leaves them to the pending-work sweep. */
  async #enqueueCommitted(enqueue: () => Promise<void>, context: Record<string, string>): Promise<void> {
    try {
      await enqueue();
    } catch (error) {
      this.#options.logger.warn({ err: error, ...context }, 'could not enqueue jobs; the pending-work sweep will');
    }
  }

  /**
   * The generate-report job: idempotent (a version is made only when its sources changed: the
   * violation log, the review, the candidate's statement or the transcription).
   */
  async generate(reportId: string): Promise<void> {
    const attempt = await this.#store.claim(reportId);
    if (attempt === undefined) return; // the interview's data was deleted meanwhile
    try {
      // Who spoke when is found here, before rendering, in seconds for an hour: the first version
      // has the speaking rows and conversation figures. The transcript comes later, from its own
      // job. Both are done once per candidate (stored), so a retry does not redo them.
      const subject = await this.#store.subjectOf(reportId);
      if (subject && this.#options.speech) await this.#options.speech.detectSpeaking(subject.interviewId, subject.candidateId);
      const input = await this.buildInput(reportId);
      const transcriptStatus = transcriptShown(input.media.speech?.transcript.status);
      const current = await this.#store.statusOf(reportId);
      const sameSources =
        (current?.reviewedAt?.getTime() ?? null) === (input.review?.at.getTime() ?? null) &&
        (current?.statementAt?.getTime() ?? null) === (input.review?.statement?.submittedAt.getTime() ?? null) &&
        (current?.transcriptStatus ?? null) === transcriptStatus;
      if (current?.status === ReportStatus.READY && current.violationLogSha256 === input.violationLogSha256 && sameSources) {
        // A run cut short after its commit left the transcription to start.
        if (transcriptStatus === TranscriptionStatus.PENDING) await this.#afterPendingTranscript(input.interview.id, input.candidate.id);
        return;
      }
      if (this.#options.aiSummary) input.aiSummary = await this.#options.aiSummary(input);
      const pdf = await renderReportPdf(input);
      const orgId = await this.#store.orgOf(reportId);
      // READY and its report.ready deliveries commit together: a READY report always has them.
      const deliveries = await this.#store.transaction(async (tx) => {
        await this.#store.markReady(tx, reportId, {
          scoreFocus: input.scores.focus,
          scoreIntegrity: input.scores.integrity,
          scoreComposite: input.scores.composite,
          summary: input.scores.summary,
          aiSummary: input.aiSummary,
          metrics: { counts: input.counts, timeline: input.timeline, accommodations: input.accommodations },
          violationLogSha256: input.violationLogSha256,
          pdf,
          generatedAt: input.generatedAt,
          scores: input.scores,
          reviewedScores: input.reviewedScores,
          verdicts: input.violations.flatMap((v) => (v.verdict ? [{ violationId: v.id, verdict: v.verdict }] : [])),
          review: input.review,
          transcriptStatus,
        });
        return this.#options.webhooks.record(tx, orgId, WebhookEvent.REPORT_READY, {
          interviewId: input.interview.id,
          candidateId: input.candidate.id,
          reportId,
          scores: { focus: input.scores.focus, integrity: input.scores.integrity, composite: input.scores.composite },
          ...(input.reviewedScores && {
            reviewedScores: { focus: input.reviewedScores.focus, integrity: input.reviewedScores.integrity, composite: input.reviewedScores.composite },
          }),
          ...(input.review && { reviewDecision: input.review.decision }),
          ...(transcriptStatus && { transcriptStatus }),
          summary: input.scores.summary,
          violationLogSha256: input.violationLogSha256,
          ...this.#signedUrl(reportId),
        });
      });
      this.#options.interviewEvents.publish(input.interview.id, { kind: 'ReportReady', interviewId: input.interview.id, candidateId: input.candidate.id, reportId });
      await this.#enqueueCommitted(() => this.#options.webhooks.enqueue(deliveries), { reportId });
      if (transcriptStatus === TranscriptionStatus.PENDING) await this.#afterPendingTranscript(input.interview.id, input.candidate.id);
    } catch (error) {
      const final = attempt >= this.#options.attempts;
      const message = (error as Error).message || String(error);
      await this.#store.markFailedAttempt(reportId, `attempt ${attempt} of ${this.#options.attempts}: ${message}`, final ? ReportStatus.FAILED : ReportStatus.PENDING);
      if (final) this.#options.logger.error({ err: error, reportId }, 'report generation failed for good');
      else throw error;
    }
  }

  /**
   * A version that says the transcript is in progress is out: the transcription starts now, after
   * the report rather than competing with it. Should the transcription have settled meanwhile (its
   * own new version made by another run of this job that committed first, from older sources), one
   * more version is asked for, so the latest one is never behind the transcript.
   */
  async #afterPendingTranscript(interviewId: string, candidateId: string): Promise<void> {
    const speech = this.#options.speech;
    if (!speech) return;
    await speech.enqueueTranscription(candidateId);
    if ((await speech.shownStatus(candidateId)) === TranscriptionStatus.PENDING) return;
    const afterCommit = await this.#store.transaction((tx) => this.recordNewVersion(tx, interviewId, candidateId));
    await afterCommit();
  }

  /** Everything the PDF shows, from the database and the data dir. */
  async buildInput(reportId: string): Promise<ReportInput> {
    const subject = await this.#store.subjectOf(reportId);
    if (!subject) throw new NotFoundError('Report', reportId);
    const endedAt = subject.endedAt ?? new Date();
    const interview = { id: subject.interviewId, title: subject.title, startedAt: subject.startedAt ?? endedAt, endedAt };
    const violationRecords = await this.#store.violationsOf(subject.interviewId, subject.candidateId);
    const violations: ReportViolation[] = violationRecords.map(({ snapshotUrl: _, ...violation }) => violation);
    const events: ReportEvent[] = (await this.#store.eventsOf(subject.candidateId)).map((e) => ({
      type: e.type,
      severity: e.severity ?? severityOf(e.type, e.durationMs, subject.config),
      occurredAt: e.occurredAt,
      durationMs: e.durationMs,
      dismissed: e.dismissed,
      accommodated: e.accommodated,
    }));
    const media = await this.#loadMedia({
      orm: this.#options.orm,
      dataDir: this.#options.dataDir,
      interviewId: subject.interviewId,
      candidateId: subject.candidateId,
      snapshots: violationRecords.flatMap((v) => (v.snapshotUrl ? [{ violationId: v.id, type: v.type, at: v.at, snapshotUrl: v.snapshotUrl }] : [])),
    });
    if (this.#options.speech) media.speech = await this.#options.speech.section(subject.candidateId);
    return buildReportInput({
      reportId,
      interview,
      candidate: { id: subject.candidateId, name: subject.name, email: subject.email },
      events,
      violations,
      media,
      aiSummary: subject.aiSummary,
      review: subject.review,
      accommodations: subject.accommodations,
    });
  }

  /**
   * Within the transaction that completes a candidate's review, stores the candidate's statement on
   * it, or settles the transcription: the report is due a new version (PENDING again, fresh
   * attempts). Returns what to do once committed: enqueue its job (the pending-work sweep does it if
   * that fails).
   */
  async recordNewVersion(tx: EntityManager, interviewId: string, candidateId: string): Promise<() => Promise<void>> {
    const reportId = await this.#store.markForNewVersion(tx, interviewId, candidateId);
    return () => this.#enqueueCommitted(async () => void (reportId && (await this.#queue?.enqueue('generate-report', { reportId }))), { interviewId, candidateId });
  }

  /** Every version of a report, oldest first (the report is found as `forInterview` finds it). */
  async versions(actor: OrgActor, interviewId: string, candidateId?: string | null): Promise<ReportVersionRow[]> {
    const report = await this.forInterview(actor, interviewId, candidateId);
    return this.#store.versionsOf(report.id);
  }

  /** The interview's reports; `candidateId` picks one (needed when it has several candidates). */
  async forInterview(actor: OrgActor, interviewId: string, candidateId?: string | null): Promise<ReportView> {
    const reports = await this.listForInterview(actor, interviewId);
    if (candidateId) {
      const report = reports.find((r) => r.candidateId === candidateId);
      if (!report) throw new NotFoundError('Report of candidate', candidateId);
      return report;
    }
    if (reports.length === 0) {
      throw new NotFoundError(`Report of interview ${interviewId} (reports are made when an interview with candidates ends)`);
    }
    if (reports.length > 1) throw new ValidationError('candidateId', `the interview has ${reports.length} candidates: name one`);
    return reports[0]!;
  }

  async listForInterview(actor: OrgActor, interviewId: string): Promise<ReportView[]> {
    if (!validate.isUuid(interviewId) || !reachesInterview(actor, interviewId)) throw new NotFoundError('Interview', interviewId);
    const rows = await this.#store.listForInterview(interviewId, actor.orgId);
    if (!rows) throw new NotFoundError('Interview', interviewId);
    return rows.map((row) => this.#view(row));
  }

  /**
   * The PDF for a download: allowed with a valid, unexpired signature from a download link, or
   * for a host / API token of the report's org. The caller is checked before the PDF is loaded,
   * so a forged link or a stranger costs no read of it.
   */
  async pdf(reportId: string, access: DownloadRequest): Promise<{ pdf: Buffer; filename: string }> {
    if (!validate.isUuid(reportId)) throw new NotFoundError('Report', reportId);
    const orgId = this.#downloads.allowedOrg(reportId, access, 'reports');
    const row = await this.#store.pdfOf(reportId, orgId);
    if (!row) throw new NotFoundError('Report', reportId);
    // While a new version renders (PENDING) or after it failed, the link keeps serving the latest rendered one.
    if (!row.pdf) throw new NotFoundError(`Report ${reportId} is ${row.status}: no PDF yet`);
    return { pdf: row.pdf, filename: `proctor-report-${slug(row.candidateName)}-${reportId.slice(0, 8)}.pdf` };
  }

  #view(row: ReportRow): ReportView {
    const link = row.pdfBytes === null ? {} : this.#signedUrl(row.id);
    return {
      id: row.id,
      interviewId: row.interviewId,
      candidateId: row.candidateId,
      candidateName: row.candidateName,
      status: row.status,
      attempts: row.attempts,
      error: row.error,
      scores: row.scoreComposite === null ? null : { focus: row.scoreFocus!, integrity: row.scoreIntegrity!, composite: row.scoreComposite },
      explanation: row.latest?.scores.contributions ?? [],
      reviewedScores: row.latest?.reviewedScores ?? null,
      reviewedExplanation: row.latest?.reviewedScores?.contributions ?? null,
      accommodations: row.metrics?.accommodations ?? null,
      accommodated: row.latest?.scores.accommodated ?? [],
      review: row.latest?.review ?? null,
      verdicts: row.latest?.verdicts ?? [],
      reviewStatus: row.reviewStatus,
      version: row.latest?.version ?? null,
      transcriptStatus: row.latest?.transcriptStatus ?? null,
      summary: row.summary,
      aiSummary: row.aiSummary,
      counts: row.metrics?.counts ?? [],
      timeline: row.metrics?.timeline ?? [],
      violationLogSha256: row.violationLogSha256,
      pdfBytes: row.pdfBytes,
      generatedAt: row.generatedAt,
      createdAt: row.createdAt,
      downloadUrl: link.downloadUrl ?? null,
      downloadUrlExpiresAt: link.downloadUrlExpiresAt ? new Date(link.downloadUrlExpiresAt) : null,
    };
  }

  #signedUrl(reportId: string): { downloadUrl?: string; downloadUrlExpiresAt?: string } {
    const base = this.#options.publicUrl();
    if (!base) return {};
    const { query, expiresAt } = this.#downloads.sign(reportId);
    return { downloadUrl: `${base}/reports/${reportId}.pdf?${query}`, downloadUrlExpiresAt: expiresAt.toISOString() };
  }
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'candidate'
  );
}
