// The domain services, built once per platform. Nothing here knows about GraphQL or HTTP.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { TokenSigner } from '../auth/jwt.ts';
import type { Config } from '../config.ts';
import { AccountService } from './accounts.ts';
import { ApiTokenService } from './api-tokens.ts';
import { CandidateService } from './candidates.ts';
import { InterviewService } from './interviews.ts';
import { EventWriter } from '../live/event-writer.ts';
import { LiveHub } from '../live/hub.ts';
import { MonitoringService } from '../live/monitoring.ts';

/** Group commit of proctoring events: at most this long or this many rows per flush. */
const EVENT_FLUSH = { flushIntervalMs: 50, maxRows: 500 };

export class Services {
  readonly accounts: AccountService;
  readonly apiTokens: ApiTokenService;
  readonly interviews: InterviewService;
  readonly candidates: CandidateService;
  readonly hub = new LiveHub();
  readonly events: EventWriter;
  readonly monitoring: MonitoringService;

  /** `publicUrl` is read when a link is made: the listening port is known only once serving. */
  constructor(orm: MikroORM, signer: TokenSigner, config: Config, publicUrl: () => string) {
    this.accounts = new AccountService(orm, signer, config);
    this.apiTokens = new ApiTokenService(orm);
    this.interviews = new InterviewService(orm, Boolean(config.databaseReadUrl));
    this.candidates = new CandidateService(orm, signer, config, this.interviews, publicUrl);
    this.events = new EventWriter(orm, EVENT_FLUSH);
    this.monitoring = new MonitoringService(orm, this.events, this.hub);
  }
}
