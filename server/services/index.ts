// The domain services, built once per platform. Nothing here knows about GraphQL or HTTP.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { TokenSigner } from '../auth/jwt.ts';
import { revocationKey, Revocations } from '../auth/revocations.ts';
import type { Config } from '../config.ts';
import { InterviewStatus } from '../db/entities.ts';
import { AccountService } from './accounts.ts';
import { ApiTokenService } from './api-tokens.ts';
import { CandidateService, type AccommodationsChanged } from './candidates.ts';
import { InterviewService } from './interviews.ts';
import { RoomService } from './rooms.ts';
import { Channel } from '../live/channel.ts';
import type { CandidateMessage, InterviewEvent } from '../live/events.ts';
import { EventWriter } from '../live/event-writer.ts';
import { HistoryService } from '../live/history.ts';
import { MessagingService } from '../live/messaging.ts';
import { MonitoringService } from '../live/monitoring.ts';
import { SnapshotService } from '../live/snapshots.ts';
import type { Logger } from '../log.ts';
import { CompositeService } from '../media/composites.ts';
import { MediaService } from '../media/media-service.ts';
import type { MediaRuntime } from '../media/setup.ts';
import { TurnCredentials } from '../media/turn-credentials.ts';
import type { Metrics } from '../metrics.ts';
import type { JobHandlers, JobQueue } from '../jobs/job-runner.ts';
import { llmSummariser } from '../reports/llm-summary.ts';
import { ReportService } from '../reports/reports.ts';
import { RetentionService } from '../reports/retention.ts';
import { RecordingService } from '../media/recording-service.ts';
import { SeekableRecordings } from '../media/seekable-recordings.ts';
import { TrackLinks } from '../media/track-links.ts';
import { ReviewLinkService } from '../reviews/review-links.ts';
import { ReviewService } from '../reviews/reviews.ts';
import { RecordingStore } from '../media/recording-store.ts';
import { chooseEngine, SpeechService } from '../speech/speech.ts';
import { recordedTracks } from '../speech/tracks.ts';
import { CandidateStatementService } from '../reviews/statements.ts';
import { WebhookService } from '../webhooks/webhooks.ts';

/** Group commit of proctoring events: this many queued rows start a flush at once. */
const EVENT_FLUSH = { maxRows: 500 };

export interface ServicesOptions {
  orm: MikroORM;
  signer: TokenSigner;
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** The SFU's worker pool and recorder (absent in a `proctor worker`, which runs jobs only). */
  media?: MediaRuntime;
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
  /** By candidate: accommodations set while its interview runs reach every process's monitoring. */
  readonly accommodationChanges = new Channel<AccommodationsChanged>('accommodationChanges');
  /** Credentials revoked while in use; its channel is relayed between server processes like the two above. */
  readonly revocations = new Revocations();
  readonly events: EventWriter;
  readonly monitoring: MonitoringService;
  readonly messaging: MessagingService;
  readonly history: HistoryService;
  readonly #media: MediaService | undefined;
  readonly snapshots: SnapshotService;
  readonly rooms: RoomService;
  readonly reviewLinks: ReviewLinkService;
  readonly trackLinks: TrackLinks;
  readonly webhooks: WebhookService;
  readonly reports: ReportService;
  readonly composites: CompositeService;
  readonly speech: SpeechService;
  readonly reviews: ReviewService;
  readonly statements: CandidateStatementService;
  readonly retention: RetentionService;
  readonly recordings: RecordingService;
  readonly #pendingSweepIntervalMs: number;

  constructor({ orm, signer, config, logger, metrics, media, publicUrl }: ServicesOptions) {
    this.accounts = new AccountService(orm, signer, config, this.revocations);
    this.apiTokens = new ApiTokenService(orm, this.revocations);
    this.webhooks = new WebhookService(orm, { allowPrivateAddresses: config.webhookAllowPrivate, timeoutMs: config.webhookTimeoutMs, attempts: config.jobAttempts });
    const transcription = chooseEngine(config);
    if ('off' in transcription && config.transcribe) logger.warn(transcription.off);
    this.speech = new SpeechService({
      orm,
      logger,
      webhooks: this.webhooks,
      ffmpegPath: config.ffmpegPath,
      engine: 'engine' in transcription ? transcription.engine : undefined,
      tracks: recordedTracks(orm, config.ffmpegPath),
      minConfidence: config.transcriptMinConfidence,
      attempts: config.jobAttempts,
      // The report service is made next: it renders the transcript the speech service stores.
      transcriptSettled: (tx, interviewId, candidateId) => this.reports.recordNewVersion(tx, interviewId, candidateId),
    });
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
      speech: this.speech,
      aiSummary: config.summaryLlmUrl
        ? llmSummariser({ url: config.summaryLlmUrl, model: config.summaryLlmModel, apiKey: config.summaryLlmKey, timeoutMs: 20_000, logger })
        : undefined,
    });
    this.composites = new CompositeService({
      orm,
      signer,
      logger,
      webhooks: this.webhooks,
      ffmpegPath: config.ffmpegPath,
      attempts: config.jobAttempts,
      downloadUrlTtlMs: config.reportUrlTtlMs,
      publicUrl,
    });
    this.reviews = new ReviewService(orm, this.reports, this.webhooks, logger);
    this.interviews = new InterviewService(orm, Boolean(config.databaseReadUrl), this.interviewEvents, async (tx, orgId, interviewId) => {
      const afterReports = await this.reports.recordEnded(tx, orgId, interviewId);
      const afterComposites = await this.composites.recordEnded(tx, interviewId);
      return async () => {
        await afterReports();
        await afterComposites();
      };
    });
    this.interviewEvents.listenToAll((interviewId, event) => {
      // Its join links and room logins are void now. Every process cuts off its own sockets as the
      // end reaches it, after the status change itself went to their subscriptions.
      if (event.kind === 'InterviewStatusChanged' && event.status === InterviewStatus.COMPLETED) {
        this.revocations.revokeHere(revocationKey.interview(interviewId), 'The interview is over');
      }
    });
    // Links need an absolute URL; a job worker has one only when PROCTOR_PUBLIC_URL is set.
    const linkBase = () => {
      const url = publicUrl();
      if (!url) throw new Error('PROCTOR_PUBLIC_URL must be set for this process to make links');
      return url;
    };
    this.candidates = new CandidateService(orm, signer, config, this.interviews, linkBase, this.accommodationChanges);
    this.events = new EventWriter(orm, logger, EVENT_FLUSH);
    this.history = new HistoryService(orm);
    this.snapshots = new SnapshotService(orm, {
      dataDir: config.dataDir,
      limitBytes: config.snapshotLimitBytes,
      perSession: { count: config.snapshotsPerSession, bytes: config.snapshotBytesPerSession },
      publicUrl: linkBase,
    });
    this.rooms = new RoomService(orm, signer, config, this.interviews, linkBase);
    this.reviewLinks = new ReviewLinkService(orm, signer, config, this.interviews, linkBase);
    const recordingStore = new RecordingStore(orm);
    this.trackLinks = new TrackLinks({
      signer,
      recordings: recordingStore,
      seekable: new SeekableRecordings(recordingStore, media?.ffmpegPath),
      publicUrl: linkBase,
      ttlMs: config.roomSessionTtlMs,
    });
    this.statements = new CandidateStatementService(orm, signer, this.reports, this.webhooks, linkBase, logger);
    metrics.liveSubscriptions = () => ({ interviewEvents: this.interviewEvents.totalListeners(), candidateMessages: this.candidateMessages.totalListeners() });
    this.monitoring = new MonitoringService(orm, this.events, this.interviewEvents, this.accommodationChanges, logger, metrics, {
      heartbeatTimeoutMs: config.heartbeatTimeoutMs,
      watchdogIntervalMs: Math.min(1000, config.heartbeatTimeoutMs / 4),
    });
    this.messaging = new MessagingService(orm, this.candidateMessages);
    if (media) {
      const mediaService = new MediaService({
        orm,
        pool: media.pool,
        interviews: this.interviews,
        monitoring: this.monitoring,
        interviewEvents: this.interviewEvents,
        logger,
        dataDir: config.dataDir,
        ffmpegPath: media.ffmpegPath,
        limits: {
          transportsPerPeer: config.mediaTransportsPerPeer,
          producersPerPeer: config.mediaProducersPerPeer,
          maxIncomingBitrate: config.mediaMaxIncomingBitrate,
          recordingMaxBytes: config.recordingMaxBytes,
        },
        turn: config.turnUrls && config.turnSecret ? new TurnCredentials({ urls: config.turnUrls, secret: config.turnSecret, ttlMs: config.turnTtlMs }) : undefined,
        iceTransportPolicy: config.iceTransportPolicy,
      });
      metrics.mediaSnapshot = () => mediaService.snapshot();
      this.#media = mediaService;
    }
    this.retention = new RetentionService(orm, config.dataDir, logger);
    this.recordings = new RecordingService(orm, this.interviews, this.trackLinks);
    this.#pendingSweepIntervalMs = config.pendingSweepIntervalMs;
  }

  /** The SFU side of interviews; only processes that run the SFU (`proctor up`) have it. */
  get media(): MediaService {
    if (!this.#media) throw new Error('this process runs no SFU');
    return this.#media;
  }

  /** What each background job does. */
  get jobHandlers(): JobHandlers {
    return {
      'generate-report': ({ reportId }) => this.reports.generate(reportId),
      'compose-recording': ({ compositeId }) => this.composites.compose(compositeId),
      'transcribe-speech': ({ transcriptionId }) => this.speech.transcribe(transcriptionId),
      'deliver-webhook': ({ deliveryId }) => this.webhooks.deliver(deliveryId),
      'retention-sweep': async () => void (await this.retention.sweep()),
      'pending-work-sweep': async () => {
        await this.reports.resumePending(this.#pendingSweepIntervalMs);
        await this.composites.resumePending(this.#pendingSweepIntervalMs);
        await this.speech.resumePending(this.#pendingSweepIntervalMs);
        await this.webhooks.resumePending(this.#pendingSweepIntervalMs);
      },
    };
  }

  /** Where services enqueue background jobs (the job runner starts after the services). */
  useJobQueue(queue: JobQueue): void {
    this.reports.useQueue(queue);
    this.composites.useQueue(queue);
    this.speech.useQueue(queue);
    this.webhooks.useQueue(queue);
  }

  /** Stops background work and writes what is queued (the database must still be open). */
  async close(): Promise<void> {
    await this.#media?.close();
    this.monitoring.close();
    await this.events.drain();
  }
}
