import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command, Flags } from '@oclif/core';
import pino from 'pino';
import { ConfigError, embeddedDatabaseDir, loadConfig, type Config } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';
import type { Platform, StartupStep } from '../../server/platform.ts';
import { ExitCode } from '../base-command.ts';
import { DEFAULT_SERVER } from '../client-config.ts';
import { nextSignal, STOP_MARGIN_MS } from '../signals.ts';
import { StepProgress } from '../step-progress.ts';

/** How steps read; a step not named here (a subsystem added later) shows as its own name. */
const STEP_LABELS: Partial<Record<StartupStep, string>> = { database: 'database', migrations: 'migrations', sfu: 'media workers', jobs: 'background jobs', http: 'HTTP server' };

export default class Up extends Command {
  static override summary = 'Start the Proctor platform: database, migrations and the HTTP/GraphQL server';
  static override description =
    'Runs on an embedded PostgreSQL in the data dir unless a database URL is given. Every PROCTOR_* setting applies; ' +
    'flags win over the environment. Logs go to stderr; stdout only says where the server is. ' +
    'Stops cleanly on Ctrl-C (SIGINT) or SIGTERM: requests and jobs in flight get PROCTOR_SHUTDOWN_TIMEOUT to finish, ' +
    'and the whole stop at most 5 s more; a second signal stops at once.\n\n' +
    'With PROCTOR_TLS_CERT and PROCTOR_TLS_KEY (PEM files) it serves HTTPS and WSS on its port, and SIGHUP re-reads both files ' +
    '(after a renewal) without dropping open connections; a missing, unreadable or mismatched pair stops the start-up (exit code 2).\n\n' +
    'Refuses to start without its face models (shipped in client/models) unless PROCTOR_FACE_CHECKS=false.\n\n' +
    'Exit codes: 0 stopped by a signal, 1 could not start (or stopping took too long), 2 invalid flags or configuration (missing face models included), ' +
    '130/143 a second SIGINT/SIGTERM.';
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    { description: 'Another port and data dir', command: '<%= config.bin %> <%= command.id %> --port 8080 --data-dir ./proctor-data' },
    { description: 'On a PostgreSQL server', command: '<%= config.bin %> <%= command.id %> --database-url postgres://proctor@db.internal/proctor' },
    {
      description: 'HTTPS on port 443 (candidates need https for their camera)',
      command:
        'PROCTOR_TLS_CERT=/etc/letsencrypt/live/proctor.example.com/fullchain.pem PROCTOR_TLS_KEY=/etc/letsencrypt/live/proctor.example.com/privkey.pem PROCTOR_PUBLIC_URL=https://proctor.example.com <%= config.bin %> <%= command.id %> --port 443',
    },
    { description: 'Any free port; the URL is the JSON line printed once up', command: '<%= config.bin %> <%= command.id %> --port 0 --json' },
  ];
  static override flags = {
    port: Flags.integer({ min: 0, max: 65535, description: 'HTTP port, 0 for any free one [env: PROCTOR_PORT, default: 4000]' }),
    'data-dir': Flags.string({ description: 'embedded database, signing secret, recordings [env: PROCTOR_DATA_DIR]' }),
    'database-url': Flags.string({ description: 'a PostgreSQL server instead of the embedded database [env: PROCTOR_DATABASE_URL]' }),
  };
  static override enableJsonFlag = true;

  async run(): Promise<void> {
    const { flags } = await this.parse(Up);
    const config = this.#config({
      port: flags.port,
      dataDir: flags['data-dir'] === undefined ? undefined : path.resolve(flags['data-dir']),
      databaseUrl: flags['database-url'],
    });
    // Listening before starting: a signal during start-up then stops the platform once it is up
    // instead of killing the process halfway through initialising the database.
    const stop = nextSignal(config.shutdownTimeoutMs + STOP_MARGIN_MS);
    // Nothing on disk yet means no host can exist yet. A database server can't be told apart
    // cheaply, so the hint is left out there.
    const firstRun = !config.databaseUrl && !existsSync(embeddedDatabaseDir(config));
    const platform = await this.#start(config);
    // A renewed certificate is picked up without a restart (certbot's deploy hook: systemctl reload).
    if (config.tlsCert) process.on('SIGHUP', () => platform.reloadCertificate());

    const database = config.databaseUrl ? 'server' : 'embedded';
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify({ url: platform.url, dataDir: config.dataDir, database })}\n`);
    this.log(`Proctor is up at ${platform.url}`);
    if (firstRun) {
      const server = platform.url === DEFAULT_SERVER ? '' : ` --server ${platform.url}`;
      this.log(`No host yet. Create the first one:\n  ${this.config.bin} signup${server} --email you@example.com --org "Your organisation"`);
    }
    this.logToStderr('Press Ctrl-C to stop');

    const signal = await stop;
    this.logToStderr(`Stopping (${signal})…`);
    await platform.close();
    this.logToStderr('Stopped');
    // Deliberately: Agenda leaves a lock-check timer behind after a job ran (up to 5 s).
    process.exit(0);
  }

  #config(overrides: Partial<Config>): Config {
    try {
      return loadConfig(process.env, overrides);
    } catch (error) {
      if (error instanceof ConfigError) this.error(error.message, { exit: ExitCode.usage });
      throw error;
    }
  }

  async #start(config: Config): Promise<Platform> {
    // Loaded here rather than at the top: oclif imports every command file to list commands,
    // and the server's dependencies would slow down every other command.
    const { Platform } = await import('../../server/platform.ts');
    const progress = new StepProgress();
    try {
      return await Platform.create(config, {
        // stdout is reserved for where the server is (and --json), so logs go to stderr.
        logger: createLogger(config.logLevel, pino.destination({ dest: 2, sync: true })),
        onStep: (step, phase, detail) => (phase === 'start' ? progress.start(detail ?? STEP_LABELS[step] ?? step) : progress.done(detail)),
      });
    } catch (error) {
      progress.fail();
      if (error instanceof ConfigError) this.error(error.message, { exit: ExitCode.usage });
      const reason = (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? `port ${config.port} is already in use (choose another with --port)` : (error as Error).message;
      this.error(`Proctor could not start: ${reason}`, { exit: ExitCode.failure });
    }
  }
}
