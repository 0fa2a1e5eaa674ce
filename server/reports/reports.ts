// Reports: one per candidate of an ended interview. Ending an interview records them PENDING (in
// the same transaction as the end) and enqueues generate-report; the job scores the candidate,
// renders the PDF and marks the report READY (or FAILED once its retries are spent, with the
// error kept for the API). Webhook deliveries are recorded in the transaction of what they
// announce; a job whose enqueue failed is enqueued again by the pending-work sweep.
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { reachesInterview, type Actor, type OrgActor } from '../auth/actor.ts';
import type { TokenSigner } from '../auth/jwt.ts';
import { ReportStatus, WebhookEvent, type InterviewConfig, type Severity, type ViolationType } from '../db/entities.ts';
import { parseTimestamp } from '../db/timestamps.ts';
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../errors.ts';
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
import { buildReportInput, type ReportInput, type ReportViolation, type TimelineRow } from './report-input.ts';
import type { ScoredEvent } from './scoring.ts';

const DOWNLOAD_PURPOSE = 'report-download';

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

interface ReportMetrics {
  counts: ReportInput['counts'];
  timeline: TimelineRow[];
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
  score_confidence: number | null;
  score_composite: number | null;
  summary: string | null;
  ai_summary: string | null;
  metrics: ReportMetrics | null;
  violation_log_sha256: string | null;
  pdf_bytes: number | null;
  generated_at: string | null;
  created_at: string;
}

const REPORT_COLUMNS = `r.id, r.interview_id, r.candidate_id, c.name as candidate_name, i.org_id, r.status, r.attempts, r.error,
  r.score_focus, r.score_confidence, r.score_composite, r.summary, r.ai_summary, r.metrics, r.violation_log_sha256,
  r.pdf_bytes, r.generated_at, r.created_at`;
const REPORT_FROM = 'reports r join interviews i on i.id = r.interview_id join candidates c on c.id = r.candidate_id';

export class ReportService {
  readonly #options: ReportServiceOptions;
  readonly #loadMedia: MediaSectionsLoader;
  #queue: JobQueue | undefined;

  constructor(options: ReportServiceOptions) {
    this.#options = options;
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
    const created = await tx.execute<{ id: string }[]>(
      `insert into reports (id, interview_id, candidate_id, status, attempts, created_at)
       select gen_random_uuid(), c.interview_id, c.id, 'PENDING', 0, now() from candidates c where c.interview_id = ?
       on conflict (interview_id, candidate_id) do nothing returning id`,
      [interviewId],
    );
    const deliveries = await this.#options.webhooks.record(tx, orgId, WebhookEvent.INTERVIEW_COMPLETED, { interviewId, endedAt: new Date().toISOString(), reports: created.length });
    return async () => {
      await this.#enqueueCommitted(async () => {
        for (const { id } of created) await this.#queue?.enqueue('generate-report', { reportId: id });
      }, { interviewId });
      await this.#enqueueCommitted(() => this.#options.webhooks.enqueue(deliveries), { interviewId });
    };
  }

  /**
   * The pending-work sweep: enqueues PENDING reports recorded more than `olderThanMs` ago that
   * have no job. Returns how many it looked at.
   */
  async resumePending(olderThanMs: number): Promise<number> {
    const pending = await this.#options.orm.em
      .getConnection()
      .execute<{ id: string }[]>(`select id from reports where status = 'PENDING' and created_at < now() - make_interval(secs => ?)`, [olderThanMs / 1000]);
    for (const { id } of pending) await this.#queue?.enqueueOnce('generate-report', { reportId: id });
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

  /** The generate-report job: idempotent (an unchanged violation log is not rendered twice). */
  async generate(reportId: string): Promise<void> {
    const connection = this.#options.orm.em.getConnection();
    const [claimed] = await connection.execute<{ attempts: number }[]>('update reports set attempts = attempts + 1 where id = ? returning attempts', [reportId]);
    if (!claimed) return; // the interview's data was deleted meanwhile
    try {
      const input = await this.buildInput(reportId);
      const [current] = await connection.execute<{ status: ReportStatus; violation_log_sha256: string | null }[]>(
        'select status, violation_log_sha256 from reports where id = ?',
        [reportId],
      );
      if (current?.status === ReportStatus.READY && current.violation_log_sha256 === input.violationLogSha256) return;
      if (this.#options.aiSummary) input.aiSummary = await this.#options.aiSummary(input);
      const pdf = await renderReportPdf(input);
      const metrics: ReportMetrics = { counts: input.counts, timeline: input.timeline };
      const orgId = await this.#orgOf(reportId);
      // READY and its report.ready deliveries commit together: a READY report always has them.
      const deliveries = await this.#options.orm.em.fork().transactional(async (tx) => {
        await tx.execute(
          `update reports set status = 'READY', error = null, score_focus = ?, score_confidence = ?, score_composite = ?, summary = ?, ai_summary = ?,
             metrics = ?, violation_log_sha256 = ?, pdf = ?, pdf_bytes = ?, generated_at = ? where id = ?`,
          [input.scores.focus, input.scores.integrity, input.scores.composite, input.scores.summary, input.aiSummary, JSON.stringify(metrics), input.violationLogSha256, pdf, pdf.length, input.generatedAt, reportId],
        );
        return this.#options.webhooks.record(tx, orgId, WebhookEvent.REPORT_READY, {
          interviewId: input.interview.id,
          candidateId: input.candidate.id,
          reportId,
          scores: { focus: input.scores.focus, integrity: input.scores.integrity, composite: input.scores.composite },
          summary: input.scores.summary,
          violationLogSha256: input.violationLogSha256,
          ...this.#signedUrl(reportId),
        });
      });
      this.#options.interviewEvents.publish(input.interview.id, { kind: 'ReportReady', interviewId: input.interview.id, candidateId: input.candidate.id, reportId });
      await this.#enqueueCommitted(() => this.#options.webhooks.enqueue(deliveries), { reportId });
    } catch (error) {
      const final = claimed.attempts >= this.#options.attempts;
      const message = (error as Error).message || String(error);
      await connection.execute(`update reports set error = ?, status = ? where id = ? and status <> 'READY'`, [
        `attempt ${claimed.attempts} of ${this.#options.attempts}: ${message}`,
        final ? ReportStatus.FAILED : ReportStatus.PENDING,
        reportId,
      ]);
      if (final) this.#options.logger.error({ err: error, reportId }, 'report generation failed for good');
      else throw error;
    }
  }

  /** Everything the PDF shows, from the database and the data dir. */
  async buildInput(reportId: string): Promise<ReportInput> {
    const connection = this.#options.orm.em.getConnection();
    const [row] = await connection.execute<
      { interview_id: string; title: string; started_at: string | null; ended_at: string | null; config: InterviewConfig; candidate_id: string; name: string; email: string; ai_summary: string | null }[]
    >(
      `select i.id as interview_id, i.title, i.started_at, i.ended_at, i.config, c.id as candidate_id, c.name, c.email, r.ai_summary
       from ${REPORT_FROM} where r.id = ?`,
      [reportId],
    );
    if (!row) throw new NotFoundError('Report', reportId);
    const endedAt = parseTimestamp(row.ended_at) ?? new Date();
    const interview = { id: row.interview_id, title: row.title, startedAt: parseTimestamp(row.started_at) ?? endedAt, endedAt };
    const violationRows = await connection.execute<
      { id: string; type: ViolationType; severity: Severity; timestamp: string; count: number; duration_ms: number; snapshot_url: string | null }[]
    >(
      'select id, type, severity, timestamp, count, duration_ms, snapshot_url from violations where interview_id = ? and candidate_id = ? order by timestamp, id',
      [row.interview_id, row.candidate_id],
    );
    const violations: ReportViolation[] = violationRows.map((v) => ({ id: v.id, type: v.type, severity: v.severity, at: parseTimestamp(v.timestamp), count: v.count, durationMs: v.duration_ms }));
    const eventRows = await connection.execute<{ type: ViolationType; occurred_at: string; duration_ms: number; severity: Severity | null }[]>(
      `select e.type, e.occurred_at, e.duration_ms, v.severity from events e join sessions s on s.id = e.session_id
       left join violations v on v.id = e.violation_id where s.candidate_id = ? order by e.occurred_at`,
      [row.candidate_id],
    );
    const events: ScoredEvent[] = eventRows.map((e) => ({
      type: e.type,
      severity: e.severity ?? severityOf(e.type, e.duration_ms, row.config),
      occurredAt: parseTimestamp(e.occurred_at),
      durationMs: e.duration_ms,
    }));
    const media = await this.#loadMedia({
      orm: this.#options.orm,
      dataDir: this.#options.dataDir,
      interviewId: row.interview_id,
      candidateId: row.candidate_id,
      snapshots: violationRows.flatMap((v) => (v.snapshot_url ? [{ violationId: v.id, type: v.type, at: parseTimestamp(v.timestamp), snapshotUrl: v.snapshot_url }] : [])),
    });
    return buildReportInput({ reportId, interview, candidate: { id: row.candidate_id, name: row.name, email: row.email }, events, violations, media, aiSummary: row.ai_summary });
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
    const rows = await this.#options.orm.em
      .getConnection()
      .execute<RawReport[]>(`select ${REPORT_COLUMNS} from ${REPORT_FROM} where r.interview_id = ? and i.org_id = ? order by c.created_at, c.id`, [interviewId, actor.orgId]);
    if (rows.length === 0) {
      const [exists] = await this.#options.orm.em.getConnection().execute('select 1 from interviews where id = ? and org_id = ?', [interviewId, actor.orgId]);
      if (!exists) throw new NotFoundError('Interview', interviewId);
    }
    return rows.map((row) => this.#view(row));
  }

  /**
   * The PDF for a download: allowed with a valid, unexpired signature from a download link, or
   * for a host / API token of the report's org. The caller is checked before the PDF is loaded,
   * so a forged link or a stranger costs no read of it.
   */
  async pdf(reportId: string, access: { actor: Actor | null; expires?: string | undefined; signature?: string | undefined }): Promise<{ pdf: Buffer; filename: string }> {
    if (!validate.isUuid(reportId)) throw new NotFoundError('Report', reportId);
    const orgId = this.#downloadOrg(reportId, access);
    const [row] = await this.#options.orm.em
      .getConnection()
      .execute<{ status: ReportStatus; pdf: Buffer | null; name: string }[]>(
        `select r.status, r.pdf, c.name from ${REPORT_FROM} where r.id = ?${orgId === undefined ? '' : ' and i.org_id = ?'}`,
        orgId === undefined ? [reportId] : [reportId, orgId],
      );
    if (!row) throw new NotFoundError('Report', reportId);
    if (row.status !== ReportStatus.READY || !row.pdf) throw new NotFoundError(`Report ${reportId} is ${row.status}: no PDF yet`);
    return { pdf: row.pdf, filename: `proctor-report-${slug(row.name)}-${reportId.slice(0, 8)}.pdf` };
  }

  /** Throws unless `access` may download the report; the org the report must belong to, or undefined for a signed link (it names the report). */
  #downloadOrg(reportId: string, access: { actor: Actor | null; expires?: string | undefined; signature?: string | undefined }): string | undefined {
    if (access.signature !== undefined || access.expires !== undefined) {
      const expires = Number(access.expires);
      if (!Number.isInteger(expires) || !access.signature || !this.#options.signer.verifyMac(DOWNLOAD_PURPOSE, `${reportId}.${expires}`, access.signature)) {
        throw new UnauthenticatedError('This download link is not valid');
      }
      if (expires * 1000 < Date.now()) throw new UnauthenticatedError('This download link has expired: ask the API for a fresh downloadUrl');
      return undefined;
    }
    if (!access.actor) throw new UnauthenticatedError('Send "Authorization: Bearer <token>" or use a signed downloadUrl');
    if (access.actor.kind === 'candidate') throw new ForbiddenError('A candidate link cannot download reports');
    return access.actor.orgId;
  }

  #view(row: RawReport): ReportView {
    const ready = row.status === ReportStatus.READY;
    const link = ready ? this.#signedUrl(row.id) : {};
    return {
      id: row.id,
      interviewId: row.interview_id,
      candidateId: row.candidate_id,
      candidateName: row.candidate_name,
      status: row.status,
      attempts: row.attempts,
      error: row.error,
      scores: row.score_composite === null ? null : { focus: row.score_focus!, integrity: row.score_confidence!, composite: row.score_composite },
      summary: row.summary,
      aiSummary: row.ai_summary,
      counts: row.metrics?.counts ?? [],
      timeline: row.metrics?.timeline ?? [],
      violationLogSha256: row.violation_log_sha256,
      pdfBytes: row.pdf_bytes,
      generatedAt: parseTimestamp(row.generated_at),
      createdAt: parseTimestamp(row.created_at),
      downloadUrl: link.downloadUrl ?? null,
      downloadUrlExpiresAt: link.downloadUrlExpiresAt ? new Date(link.downloadUrlExpiresAt) : null,
    };
  }

  #signedUrl(reportId: string): { downloadUrl?: string; downloadUrlExpiresAt?: string } {
    const base = this.#options.publicUrl();
    if (!base) return {};
    const expires = Math.floor((Date.now() + this.#options.downloadUrlTtlMs) / 1000);
    const signature = this.#options.signer.mac(DOWNLOAD_PURPOSE, `${reportId}.${expires}`);
    return { downloadUrl: `${base}/reports/${reportId}.pdf?expires=${expires}&signature=${signature}`, downloadUrlExpiresAt: new Date(expires * 1000).toISOString() };
  }

  async #orgOf(reportId: string): Promise<string> {
    const [row] = await this.#options.orm.em.getConnection().execute<{ org_id: string }[]>(`select i.org_id from ${REPORT_FROM} where r.id = ?`, [reportId]);
    return row!.org_id;
  }
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'candidate';
}
