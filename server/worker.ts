// A job worker: the services and the job runner without HTTP, for `proctor worker`. Several may
// run at once, beside `proctor up`, on one PostgreSQL server; Agenda's locking gives each job to
// one of them, and live events (ReportReady) reach the API servers through LISTEN/NOTIFY.
import type { MikroORM } from '@mikro-orm/postgresql';
import { TokenSigner } from './auth/jwt.ts';
import { loadSigningSecret } from './auth/secrets.ts';
import type { Config } from './config.ts';
import { migrate, openOrm } from './db/orm.ts';
import { openJobStore } from './jobs/backend.ts';
import { JobRunner } from './jobs/job-runner.ts';
import { NOTIFY_SQL, PgRelay } from './live/pg-relay.ts';
import { createLogger, type Logger } from './log.ts';
import { Metrics } from './metrics.ts';
import type { PlatformOptions } from './platform.ts';
import { Services } from './services/index.ts';

export class Worker {
  readonly jobs: JobRunner;
  readonly #services: Services;
  readonly #relay: PgRelay;
  readonly #orm: MikroORM;
  readonly #logger: Logger;
  readonly #shutdownTimeoutMs: number;
  #closing: Promise<void> | undefined;

  private constructor(fields: { jobs: JobRunner; services: Services; relay: PgRelay; orm: MikroORM; logger: Logger; shutdownTimeoutMs: number }) {
    this.jobs = fields.jobs;
    this.#shutdownTimeoutMs = fields.shutdownTimeoutMs;
    this.#services = fields.services;
    this.#relay = fields.relay;
    this.#orm = fields.orm;
    this.#logger = fields.logger;
  }

  static async create(config: Config, options: PlatformOptions = {}): Promise<Worker> {
    const logger = options.logger ?? createLogger(config.logLevel);
    const step = options.onStep ?? (() => {});
    if (!config.databaseUrl) {
      throw new Error('A worker needs a PostgreSQL server (PROCTOR_DATABASE_URL or --database-url): the embedded database belongs to the `proctor up` process, which runs the jobs itself');
    }
    step('database', 'start', 'PostgreSQL server');
    const orm = await openOrm({ url: config.databaseUrl, poolSize: config.databasePoolSize, timeoutMs: config.databaseTimeoutMs, server: true });
    let relay: PgRelay | undefined;
    let jobs: JobRunner | undefined;
    try {
      await orm.em.getConnection().execute('select 1').catch((error: Error) => {
        throw new Error(`Cannot reach the database: ${error.message}`);
      });
      step('database', 'done');
      step('migrations', 'start');
      const applied = await migrate(orm, config.databaseUrl);
      step('migrations', 'done', applied.length ? `applied ${applied.join(', ')}` : 'up to date');
      step('jobs', 'start');
      const signer = new TokenSigner(await loadSigningSecret(config.jwtSecret, config.dataDir));
      const services = new Services({ orm, signer, config, logger, metrics: new Metrics(), publicUrl: () => config.publicUrl });
      relay = await PgRelay.create(config.databaseUrl, logger, [services.interviewEvents, services.candidateMessages], (payload) =>
        orm.em.getConnection().execute(NOTIFY_SQL, [payload]),
      );
      jobs = await JobRunner.create({
        store: await openJobStore({ jobsUrl: config.jobsUrl, databaseUrl: config.databaseUrl, embedded: false, timeoutMs: config.databaseTimeoutMs, logger }),
        logger,
        process: true,
        handlers: services.jobHandlers,
        retry: { attempts: config.jobAttempts, delayMs: config.jobRetryDelayMs },
        pendingSweepEveryMs: config.pendingSweepIntervalMs,
        name: `proctor-worker-${process.pid}`,
      });
      services.useJobQueue(jobs);
      step('jobs', 'done', jobs.describe);
      logger.info({ pid: process.pid }, 'proctor worker is up');
      return new Worker({ jobs, services, relay, orm, logger, shutdownTimeoutMs: config.shutdownTimeoutMs });
    } catch (error) {
      await jobs?.close(0).catch(() => {});
      await relay?.close();
      await orm.close(true).catch(() => {});
      throw error;
    }
  }

  /** Lets running jobs finish (up to PROCTOR_SHUTDOWN_TIMEOUT), then closes everything. Safe to call more than once. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.jobs.close(this.#shutdownTimeoutMs);
      await this.#services.close();
      await this.#relay.close();
      await this.#orm.close(true);
      this.#logger.info('worker stopped');
    })();
    return this.#closing;
  }
}
