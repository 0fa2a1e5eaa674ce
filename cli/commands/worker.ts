import path from 'node:path';
import { Command, Flags } from '@oclif/core';
import pino from 'pino';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';
import { ExitCode } from '../base-command.ts';
import { nextSignal, STOP_MARGIN_MS } from '../signals.ts';

export default class Worker extends Command {
  static override summary = 'Run background jobs (reports, webhooks, retention) beside `proctor up`, on a PostgreSQL server';
  static override description =
    'Processes the same jobs as `proctor up` (start it with PROCTOR_RUN_JOBS=false to leave them all to workers). ' +
    'Run as many workers as you like: each job runs on exactly one. Needs the PostgreSQL server `proctor up` uses, ' +
    'and the same data dir (snapshots, recordings, signing secret) or PROCTOR_JWT_SECRET. Logs go to stderr. ' +
    'Finishes running jobs and stops on Ctrl-C (SIGINT) or SIGTERM: running jobs get PROCTOR_SHUTDOWN_TIMEOUT to finish ' +
    '(one cut short runs again later), and the whole stop at most 5 s more; a second signal stops at once.\n\n' +
    'Exit codes: 0 stopped by a signal, 1 could not start (or stopping took too long), 2 invalid flags or configuration, ' +
    '130/143 a second SIGINT/SIGTERM.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> --database-url postgres://proctor@db.internal/proctor',
    { description: 'Two workers, the API server leaving jobs to them', command: 'PROCTOR_RUN_JOBS=false proctor up & proctor worker & proctor worker' },
  ];
  static override flags = {
    'database-url': Flags.string({ description: 'the PostgreSQL server [env: PROCTOR_DATABASE_URL]' }),
    'data-dir': Flags.string({ description: 'data dir shared with `proctor up` [env: PROCTOR_DATA_DIR]' }),
  };
  static override enableJsonFlag = true;

  async run(): Promise<void> {
    const { flags } = await this.parse(Worker);
    let config;
    try {
      config = loadConfig(process.env, {
        databaseUrl: flags['database-url'],
        dataDir: flags['data-dir'] === undefined ? undefined : path.resolve(flags['data-dir']),
      });
    } catch (error) {
      if (error instanceof ConfigError) this.error(error.message, { exit: ExitCode.usage });
      throw error;
    }
    const stop = nextSignal(config.shutdownTimeoutMs + STOP_MARGIN_MS);
    const { Worker: JobWorker } = await import('../../server/worker.ts');
    let worker;
    try {
      worker = await JobWorker.create(config, {
        logger: createLogger(config.logLevel, pino.destination({ dest: 2, sync: true })),
        onStep: (step, phase, detail) => phase === 'done' && this.logToStderr(`✔ ${step}  ${detail ?? ''}`),
      });
    } catch (error) {
      this.error(`The worker could not start: ${(error as Error).message}`, { exit: ExitCode.failure });
    }
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify({ pid: process.pid, jobs: worker.jobs.describe })}\n`);
    this.log(`Proctor worker ${process.pid} is processing jobs (${worker.jobs.describe})`);
    const signal = await stop;
    this.logToStderr(`Stopping (${signal}): finishing running jobs…`);
    await worker.close();
    this.logToStderr('Stopped');
    // Deliberately: Agenda leaves a lock-check timer behind after a job ran (up to 5 s).
    process.exit(0);
  }
}
