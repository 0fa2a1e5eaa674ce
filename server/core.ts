// What `proctor up` and `proctor worker` both stand on: the database (embedded unless a URL is
// configured), checked and migrated; the domain services; the relay that carries live events and
// revocations between processes sharing a PostgreSQL server; and the job runner. `Core.create` opens
// them in that order. One teardown closes whatever is open, in reverse: it serves a normal stop
// and a start-up that failed halfway alike, so a failed start leaves nothing behind that would
// keep the process alive.
import type { MikroORM } from '@mikro-orm/postgresql';
import { TokenSigner } from './auth/jwt.ts';
import { loadEmbeddedDatabasePassword, loadSigningSecret } from './auth/secrets.ts';
import { embeddedDatabaseDir, type Config } from './config.ts';
import { EmbeddedDatabase } from './db/embedded.ts';
import { migrate, openOrm } from './db/orm.ts';
import type { ReadinessProbe } from './http/health.ts';
import { openJobStore } from './jobs/backend.ts';
import { JobRunner } from './jobs/job-runner.ts';
import { NOTIFY_SQL, PgRelay } from './live/pg-relay.ts';
import type { Logger } from './log.ts';
import type { MediaRuntime } from './media/setup.ts';
import type { Metrics } from './metrics.ts';
import { Services } from './services/index.ts';

export type StartupStep = 'database' | 'migrations' | 'sfu' | 'jobs' | 'http';

/** Called as each start-up step begins and ends (the CLI shows it as progress). */
export type StepReporter = (step: StartupStep, phase: 'start' | 'done', detail?: string) => void;

/** The parts of a shutdown, named in the warning when one of them outlives the timeout. */
export type ShutdownStep = 'jobs' | 'services' | 'media' | 'database';

export interface CoreOptions {
  logger: Logger;
  metrics: Metrics;
  onStep: StepReporter;
  /** Whether this process runs jobs or only enqueues them (PROCTOR_RUN_JOBS; a worker always runs them). */
  runJobs: boolean;
  /** This process, as Agenda's locks name it. */
  jobRunnerName: string;
  /** Starts the SFU once the schema is current; only `proctor up` runs one. */
  startMedia?: () => Promise<MediaRuntime>;
  /** Base URL of links; read when a link is made (the listening port is known only once serving). */
  publicUrl: () => string | undefined;
}

/** What start-up has opened so far: everything the teardown may have to close. */
interface Opened {
  embedded?: EmbeddedDatabase | undefined;
  orm?: MikroORM | undefined;
  media?: MediaRuntime | undefined;
  services?: Services | undefined;
  relay?: PgRelay | undefined;
  jobs?: JobRunner | undefined;
}

export class Core implements ReadinessProbe {
  readonly orm: MikroORM;
  readonly services: Services;
  readonly jobs: JobRunner;
  /** The embedded database, when no PostgreSQL server is configured. */
  readonly embedded: EmbeddedDatabase | undefined;
  /** The SFU, in `proctor up`. */
  readonly media: MediaRuntime | undefined;
  readonly #opened: Opened;

  private constructor(opened: Opened & { orm: MikroORM; services: Services; jobs: JobRunner }) {
    this.orm = opened.orm;
    this.embedded = opened.embedded;
    this.media = opened.media;
    this.services = opened.services;
    this.jobs = opened.jobs;
    this.#opened = opened;
  }

  static async create(config: Config, options: CoreOptions): Promise<Core> {
    const { logger, onStep: step } = options;
    const opened: Opened = {};
    try {
      step('database', 'start', config.databaseUrl ? 'PostgreSQL server' : 'embedded PostgreSQL');
      const embedded = (opened.embedded = config.databaseUrl
        ? undefined
        : await EmbeddedDatabase.create(embeddedDatabaseDir(config), {
            password: await loadEmbeddedDatabasePassword(config.dataDir),
            waitTimeoutMs: config.databaseTimeoutMs,
            onStall: (stall) => logger.warn(stall, `embedded database: a connection was failed after ${stall.waitedMs} ms (${stall.reason}) so that others can proceed`),
            onFailure: (error) => logger.fatal({ err: error }, 'the embedded database failed: restart proctor up'),
          }));
      const databaseUrl = config.databaseUrl ?? embedded!.url;
      const orm = (opened.orm = await openOrm({
        url: databaseUrl,
        readUrl: config.databaseReadUrl,
        poolSize: config.databasePoolSize,
        timeoutMs: config.databaseTimeoutMs,
        server: Boolean(config.databaseUrl),
      }));
      await orm.em
        .getConnection()
        .execute('select 1')
        .catch((error: Error) => {
          throw new Error(`Cannot reach the database: ${error.message}`);
        });
      step('database', 'done', config.databaseUrl ? redact(config.databaseUrl) : embeddedDatabaseDir(config));

      step('migrations', 'start');
      const applied = await migrate(orm, config.databaseUrl);
      step('migrations', 'done', applied.length ? `applied ${applied.join(', ')}` : 'up to date');

      const media = (opened.media = await options.startMedia?.());
      const signer = new TokenSigner(await loadSigningSecret(config.jwtSecret, config.dataDir));
      const services = (opened.services = new Services({ orm, signer, config, logger, metrics: options.metrics, media, publicUrl: options.publicUrl }));
      // Several processes may share a PostgreSQL server: live events, revocations and accommodation changes cross between them.
      opened.relay = config.databaseUrl
        ? await PgRelay.create(
            config.databaseUrl,
            logger,
            [services.interviewEvents, services.candidateMessages, services.revocations.channel, services.accommodationChanges],
            (payload) => orm.em.getConnection().execute(NOTIFY_SQL, [payload]),
          )
        : undefined;

      step('jobs', 'start');
      const jobs = (opened.jobs = await JobRunner.create({
        store: await openJobStore({ jobsUrl: config.jobsUrl, databaseUrl, embedded: !config.databaseUrl, timeoutMs: config.databaseTimeoutMs, logger }),
        logger,
        process: options.runJobs,
        handlers: services.jobHandlers,
        retry: { attempts: config.jobAttempts, delayMs: config.jobRetryDelayMs },
        pendingSweepEveryMs: config.pendingSweepIntervalMs,
        name: options.jobRunnerName,
      }));
      services.useJobQueue(jobs);
      step('jobs', 'done', jobs.describe);
      return new Core({ ...opened, orm, services, jobs });
    } catch (error) {
      await teardown(opened, 0).catch((closing: unknown) => logger.warn({ err: closing }, 'closing after a failed start-up failed too'));
      throw error;
    }
  }

  /** Ready while the database answers and has no pending migration. */
  async ready(): Promise<{ ok: true } | { ok: false; reason: string }> {
    try {
      const pending = await this.orm.migrator.getPending();
      return pending.length === 0 ? { ok: true } : { ok: false, reason: `${pending.length} migrations pending` };
    } catch (error) {
      return { ok: false, reason: `database unreachable: ${(error as Error).message}` };
    }
  }

  /** Lets running jobs finish within `jobsTimeoutMs`, then closes everything else (see `teardown`). */
  close(jobsTimeoutMs: number, onStep?: (step: ShutdownStep) => void): Promise<void> {
    return teardown(this.#opened, jobsTimeoutMs, onStep);
  }
}

/**
 * Closes what is open, in reverse order of opening: running jobs first (while the database is
 * still there), then the services (which write what is queued), media, the relay (after the
 * services, so their last events still reach other processes) and the database. Every part is
 * closed even when one fails; the first failure is thrown afterwards.
 */
async function teardown(opened: Opened, jobsTimeoutMs: number, onStep: (step: ShutdownStep) => void = () => {}): Promise<void> {
  const failures: unknown[] = [];
  const attempt = async (close: () => unknown) => {
    try {
      await close();
    } catch (error) {
      failures.push(error);
    }
  };
  onStep('jobs');
  await attempt(() => opened.jobs?.close(jobsTimeoutMs));
  onStep('services');
  await attempt(() => opened.services?.close());
  onStep('media');
  await attempt(() => opened.media?.pool.close());
  await attempt(() => opened.relay?.close());
  onStep('database');
  await attempt(() => opened.orm?.close(true));
  await attempt(() => opened.embedded?.close());
  if (failures.length > 0) throw failures[0];
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
