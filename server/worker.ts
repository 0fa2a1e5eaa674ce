// A job worker: the core (services and job runner) without HTTP or SFU, for `proctor worker`.
// Several may run at once, beside `proctor up`, on one PostgreSQL server; Agenda's locking gives
// each job to one of them, and live events (ReportReady) reach the API servers through LISTEN/NOTIFY.
import type { Config } from './config.ts';
import { Core } from './core.ts';
import type { JobRunner } from './jobs/job-runner.ts';
import { createLogger, type Logger } from './log.ts';
import { Metrics } from './metrics.ts';
import type { PlatformOptions } from './platform.ts';

export class Worker {
  readonly jobs: JobRunner;
  readonly #core: Core;
  readonly #logger: Logger;
  readonly #shutdownTimeoutMs: number;
  #closing: Promise<void> | undefined;

  private constructor(core: Core, logger: Logger, shutdownTimeoutMs: number) {
    this.jobs = core.jobs;
    this.#core = core;
    this.#logger = logger;
    this.#shutdownTimeoutMs = shutdownTimeoutMs;
  }

  static async create(config: Config, options: PlatformOptions = {}): Promise<Worker> {
    const logger = options.logger ?? createLogger(config.logLevel);
    if (!config.databaseUrl) {
      throw new Error(
        'A worker needs a PostgreSQL server (PROCTOR_DATABASE_URL or --database-url): the embedded database belongs to the `proctor up` process, which runs the jobs itself',
      );
    }
    const core = await Core.create(config, {
      logger,
      metrics: new Metrics(),
      onStep: options.onStep ?? (() => {}),
      runJobs: true,
      jobRunnerName: `proctor-worker-${process.pid}`,
      publicUrl: () => config.publicUrl,
    });
    logger.info({ pid: process.pid }, 'proctor worker is up');
    return new Worker(core, logger, config.shutdownTimeoutMs);
  }

  /** Lets running jobs finish (up to PROCTOR_SHUTDOWN_TIMEOUT), then closes everything. Safe to call more than once. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#core.close(this.#shutdownTimeoutMs);
      this.#logger.info('worker stopped');
    })();
    return this.#closing;
  }
}
