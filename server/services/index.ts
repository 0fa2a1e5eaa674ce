// The domain services, built once per platform. Nothing here knows about GraphQL or HTTP.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { TokenSigner } from '../auth/jwt.ts';
import type { Config } from '../config.ts';
import { AccountService } from './accounts.ts';
import { ApiTokenService } from './api-tokens.ts';
import { CandidateService } from './candidates.ts';
import { InterviewService } from './interviews.ts';
import { Channel } from '../live/channel.ts';
import type { CandidateMessage, InterviewEvent } from '../live/events.ts';
import { EventWriter } from '../live/event-writer.ts';
import { HistoryService } from '../live/history.ts';
import { MonitoringService } from '../live/monitoring.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { JobHandlers, JobQueue } from '../jobs/job-runner.ts';
import { llmSummariser } from '../reports/llm-summary.ts';
import { ReportService } from '../reports/reports.ts';
import { RetentionService } from '../reports/retention.ts';
import { WebhookService } from '../webhooks/webhooks.ts';

/** Group commit of proctoring events: at most this long or this many rows per flush. */
const EVENT_FLUSH = { flushIntervalMs: 50, maxRows: 500 };

export interface ServicesOptions {
  orm: MikroORM;
  signer: TokenSigner;
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** Read when a link is made: the listening port is known only once serving (undefined in a worker without PROCTOR_PUBLIC_URL). */
  publicUrl: () => string | undefined;
}

export class Services {
  readonly accounts: AccountService;
  readonly apiTokens: ApiTokenService;
  readonly interviews: InterviewService;
  readonly candidates: CandidateService;
  readonly interviewEvents = new Channel<InterviewEvent>('interviewEvents');
  readonly candidateMessages = new Channel<CandidateMessage>('candidateMessages');
  readonly events: EventWriter;
  readonly monitoring: MonitoringService;
  readonly history: HistoryService;
  readonly webhooks: WebhookService;
  readonly reports: ReportService;
  readonly retention: RetentionService;

  constructor({ orm, signer, config, logger, metrics, publicUrl }: ServicesOptions) {
    this.accounts = new AccountService(orm, signer, config);
    this.apiTokens = new ApiTokenService(orm);
    this.interviews = new InterviewService(orm, Boolean(config.databaseReadUrl), this.interviewEvents);
    this.candidates = new CandidateService(orm, signer, config, this.interviews, () => publicUrl()!);
    this.events = new EventWriter(orm, EVENT_FLUSH);
    this.history = new HistoryService(orm);
    this.monitoring = new MonitoringService(orm, this.events, this, logger, metrics, {
      heartbeatTimeoutMs: config.heartbeatTimeoutMs,
      watchdogIntervalMs: Math.min(1000, config.heartbeatTimeoutMs / 4),
    });
    this.webhooks = new WebhookService(orm, { allowPrivateAddresses: config.webhookAllowPrivate, timeoutMs: config.webhookTimeoutMs, attempts: config.jobAttempts });
    this.reports = new ReportService({
      orm,
      signer,
      logger,
      interviewEvents: this.interviewEvents,
      webhooks: this.webhooks,
      dataDir: config.dataDir,
      attempts: config.jobAttempts,
      downloadUrlTtlMs: config.reportUrlTtlMs,
      publicUrl,
      aiSummary: config.summaryLlmUrl
        ? llmSummariser({ url: config.summaryLlmUrl, model: config.summaryLlmModel, apiKey: config.summaryLlmKey, timeoutMs: 20_000, logger })
        : undefined,
    });
    this.retention = new RetentionService(orm, config.dataDir, logger);
    this.interviews.onTransition(async (orgId, interviewId, move) => {
      if (move === 'end') await this.reports.interviewEnded(orgId, interviewId);
    });
  }

  /** What each background job does. */
  get jobHandlers(): JobHandlers {
    return {
      'generate-report': ({ reportId }) => this.reports.generate(reportId),
      'deliver-webhook': ({ deliveryId }) => this.webhooks.deliver(deliveryId),
      'retention-sweep': async () => void (await this.retention.sweep()),
    };
  }

  /** Where services enqueue background jobs (the job runner starts after the services). */
  async useJobQueue(queue: JobQueue, processing: boolean): Promise<void> {
    this.reports.useQueue(queue);
    this.webhooks.useQueue(queue);
    if (processing) await this.reports.resumeStalled();
  }

  /** Stops background work and writes what is queued (the database must still be open). */
  async close(): Promise<void> {
    this.monitoring.close();
    await this.events.drain();
  }
}
