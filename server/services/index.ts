// The domain services, built once per platform. Nothing here knows about GraphQL or HTTP.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { TokenSigner } from '../auth/jwt.ts';
import type { Config } from '../config.ts';
import { AccountService } from './accounts.ts';
import { ApiTokenService } from './api-tokens.ts';
import { CandidateService } from './candidates.ts';
import { InterviewService } from './interviews.ts';
import { RoomService } from './rooms.ts';
import { Channel } from '../live/channel.ts';
import type { CandidateMessage, InterviewEvent } from '../live/events.ts';
import { EventWriter } from '../live/event-writer.ts';
import { HistoryService } from '../live/history.ts';
import { MonitoringService } from '../live/monitoring.ts';
import { SnapshotService } from '../live/snapshots.ts';
import type { Logger } from '../log.ts';
import { MediaService } from '../media/media-service.ts';
import type { MediaRuntime } from '../media/setup.ts';
import type { Metrics } from '../metrics.ts';

/** Group commit of proctoring events: at most this long or this many rows per flush. */
const EVENT_FLUSH = { flushIntervalMs: 50, maxRows: 500 };

export interface ServicesOptions {
  orm: MikroORM;
  signer: TokenSigner;
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** The SFU's worker pool and recorder. */
  media: MediaRuntime;
  /** Read when a link is made: the listening port is known only once serving. */
  publicUrl: () => string;
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
  readonly media: MediaService;
  readonly snapshots: SnapshotService;
  readonly rooms: RoomService;

  constructor({ orm, signer, config, logger, metrics, media, publicUrl }: ServicesOptions) {
    this.accounts = new AccountService(orm, signer, config);
    this.apiTokens = new ApiTokenService(orm);
    this.interviews = new InterviewService(orm, Boolean(config.databaseReadUrl), this.interviewEvents);
    this.candidates = new CandidateService(orm, signer, config, this.interviews, publicUrl);
    this.events = new EventWriter(orm, EVENT_FLUSH);
    this.history = new HistoryService(orm);
    this.snapshots = new SnapshotService(orm, { dataDir: config.dataDir, limitBytes: config.snapshotLimitBytes, publicUrl });
    this.rooms = new RoomService(orm, signer, config, this.interviews, publicUrl);
    this.monitoring = new MonitoringService(orm, this.events, this, logger, metrics, {
      heartbeatTimeoutMs: config.heartbeatTimeoutMs,
      watchdogIntervalMs: Math.min(1000, config.heartbeatTimeoutMs / 4),
    });
    this.media = new MediaService({
      orm,
      pool: media.pool,
      interviews: this.interviews,
      monitoring: this.monitoring,
      interviewEvents: this.interviewEvents,
      logger,
      dataDir: config.dataDir,
      ffmpegPath: media.ffmpegPath,
    });
    metrics.mediaSnapshot = () => this.media.snapshot();
  }

  /** Stops background work and writes what is queued (the database must still be open). */
  async close(): Promise<void> {
    await this.media.close();
    this.monitoring.close();
    await this.events.drain();
  }
}
