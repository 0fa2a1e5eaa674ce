// The composition root: opens the database (embedded unless a URL is configured), applies
// migrations, builds the services and serves HTTP. One `close()` shuts it all down in order.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';
import { attachWebSockets, type WebSocketBridge } from '../schema/websocket.ts';
import { createGraphQLServer } from '../schema/yoga.ts';
import { TokenSigner } from './auth/jwt.ts';
import { loadSigningSecret } from './auth/secrets.ts';
import { embeddedDatabaseDir, type Config } from './config.ts';
import { EmbeddedDatabase } from './db/embedded.ts';
import { migrate, openOrm } from './db/orm.ts';
import { createApp } from './http/app.ts';
import type { ReadinessProbe } from './http/health.ts';
import { hasLocalModels, pageRoutes } from './http/pages.ts';
import { snapshotRoutes } from './http/snapshots.ts';
import { createLogger, type Logger } from './log.ts';
import { NOTIFY_SQL, PgRelay } from './live/pg-relay.ts';
import { startMedia, type MediaRuntime } from './media/setup.ts';
import { Metrics } from './metrics.ts';
import { Services } from './services/index.ts';
import { authenticate } from '../schema/context.ts';
import { JOB_POOL_SIZE, openJobStore } from './jobs/backend.ts';
import { JobRunner } from './jobs/job-runner.ts';

export type StartupStep = 'database' | 'migrations' | 'sfu' | 'jobs' | 'http';

export interface PlatformOptions {
  logger?: Logger;
  /** Called as each start-up step begins and ends (the CLI shows it as progress). */
  onStep?: (step: StartupStep, phase: 'start' | 'done', detail?: string) => void;
}

export class Platform implements ReadinessProbe {
  readonly config: Config;
  readonly services: Services;
  readonly logger: Logger;
  /** The ORM, for in-process collaborators (jobs, tests); request handling goes through services. */
  readonly orm: MikroORM;
  readonly #embedded: EmbeddedDatabase | undefined;
  readonly #server: Server;
  #webSockets: WebSocketBridge | undefined;
  #relay: PgRelay | undefined;
  #media: MediaRuntime | undefined;
  #jobs: JobRunner | undefined;
  readonly #sockets = new Set<Socket>();
  #closing: Promise<void> | undefined;
  #url: string | undefined;

  private constructor(fields: {
    config: Config;
    services: Services;
    logger: Logger;
    orm: MikroORM;
    embedded: EmbeddedDatabase | undefined;
    server: Server;
  }) {
    this.config = fields.config;
    this.services = fields.services;
    this.logger = fields.logger;
    this.orm = fields.orm;
    this.#embedded = fields.embedded;
    this.#server = fields.server;
  }

  static async create(config: Config, options: PlatformOptions = {}): Promise<Platform> {
    const logger = options.logger ?? createLogger(config.logLevel);
    const step = options.onStep ?? (() => {});
    const metrics = new Metrics();

    step('database', 'start', config.databaseUrl ? 'PostgreSQL server' : 'embedded PostgreSQL');
    // The embedded socket server drops connections beyond its limit: size it to the pool plus
    // room for a maintenance connection.
    const embedded = config.databaseUrl
      ? undefined
      : await EmbeddedDatabase.create(embeddedDatabaseDir(config), config.databasePoolSize + 2 + JOB_POOL_SIZE);
    let orm: MikroORM | undefined;
    let relay: PgRelay | undefined;
    let media: MediaRuntime | undefined;
    let jobs: JobRunner | undefined;
    try {
      orm = await openOrm({ url: config.databaseUrl ?? embedded!.url, readUrl: config.databaseReadUrl, poolSize: config.databasePoolSize });
      await orm.em.getConnection().execute('select 1').catch((error: Error) => {
        throw new Error(`Cannot reach the database: ${error.message}`);
      });
      step('database', 'done', config.databaseUrl ? redact(config.databaseUrl) : embeddedDatabaseDir(config));

      step('migrations', 'start');
      const applied = await migrate(orm, config.databaseUrl);
      step('migrations', 'done', applied.length ? `applied ${applied.join(', ')}` : 'up to date');

      step('sfu', 'start', `${config.sfuWorkers} mediasoup worker${config.sfuWorkers === 1 ? '' : 's'}`);
      media = await startMedia(config, logger);
      step('sfu', 'done', `${config.sfuWorkers} worker${config.sfuWorkers === 1 ? '' : 's'}, media at ${media.announcedAddress}${config.rtcPort ? ` UDP/TCP ${config.rtcPort}-${config.rtcPort + config.sfuWorkers - 1}` : ''}${media.ffmpegPath ? '' : ', recording off'}`);

      const signer = new TokenSigner(await loadSigningSecret(config.jwtSecret, config.dataDir));
      const server = createServer();
      const services = new Services({ orm, signer, config, logger, metrics, media, publicUrl: () => config.publicUrl ?? platform.url });
      // Several processes may share a PostgreSQL server: live events cross between them.
      relay = config.databaseUrl
        ? await PgRelay.create(config.databaseUrl, logger, [services.interviewEvents, services.candidateMessages], (payload) =>
            orm!.em.getConnection().execute(NOTIFY_SQL, [payload]),
          )
        : undefined;
      step('jobs', 'start');
      jobs = await JobRunner.create({
        store: await openJobStore({ jobsUrl: config.jobsUrl, databaseUrl: config.databaseUrl ?? embedded!.url, embedded: !config.databaseUrl, logger }),
        logger,
        process: config.runJobs,
        handlers: services.jobHandlers,
        retry: { attempts: config.jobAttempts, delayMs: config.jobRetryDelayMs },
        name: `proctor-up-${process.pid}`,
      });
      await services.useJobQueue(jobs, config.runJobs);
      step('jobs', 'done', jobs.describe);

      step('http', 'start');
      const platform: Platform = new Platform({ config, services, logger, orm, embedded, server });
      platform.#relay = relay;
      platform.#media = media;
      platform.#jobs = jobs;
      const graphql = createGraphQLServer({ services, logger, metrics, maxDepth: config.graphqlMaxDepth, graphiql: config.graphiql });
      const app = createApp({
        logger,
        metrics,
        probe: platform,
        bodyLimitBytes: config.bodyLimitBytes,
        graphql: (request, serverContext) => graphql.fetch(request, serverContext),
        routes: [pageRoutes(config), snapshotRoutes(services.snapshots, (authorization) => authenticate(services, authorization))],
        reportPdf: async (reportId, access) =>
          services.reports.pdf(reportId, { ...access, actor: access.authorization ? await authenticate(services, access.authorization) : null }),
      });
      server.on('request', app.callback());
      platform.#webSockets = attachWebSockets(server, graphql, { services, logger, maxPayloadBytes: config.bodyLimitBytes });
      server.on('connection', (socket) => {
        platform.#sockets.add(socket);
        metrics.openSockets.inc();
        socket.once('close', () => {
          platform.#sockets.delete(socket);
          metrics.openSockets.dec();
        });
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve());
      });
      step('http', 'done', platform.url);
      logger.info({ url: platform.url, embedded: !config.databaseUrl }, 'proctor is up');
      if (!config.faceModelsUrl && !hasLocalModels(config.faceModelsDir)) {
        logger.warn({ dir: config.faceModelsDir }, 'no face models found: candidate pages run without face checks (set PROCTOR_FACE_MODELS_DIR or PROCTOR_FACE_MODELS_URL)');
      }
      return platform;
    } catch (error) {
      media?.pool.close();
      await jobs?.close(0).catch(() => {});
      await relay?.close();
      await orm?.close(true).catch(() => {});
      await embedded?.close().catch(() => {});
      throw error;
    }
  }

  /** The background job runner (tests and benches enqueue and observe through it). */
  get jobs(): JobRunner {
    return this.#jobs!;
  }

  /** Where this server listens (the real port when 0 was asked for); kept after close for messages. */
  get url(): string {
    this.#url ??= listeningUrl(this.config.host, (this.#server.address() as AddressInfo).port);
    return this.#url;
  }

  async ready(): Promise<{ ok: true } | { ok: false; reason: string }> {
    if (this.#closing) return { ok: false, reason: 'shutting down' };
    try {
      const pending = await this.orm.migrator.getPending();
      return pending.length === 0 ? { ok: true } : { ok: false, reason: `${pending.length} migrations pending` };
    } catch (error) {
      return { ok: false, reason: `database unreachable: ${(error as Error).message}` };
    }
  }

  /**
   * Graceful shutdown: stop accepting, let in-flight requests finish (up to the configured
   * limit), then close the database. Safe to call more than once.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.logger.info('shutting down');
    const drained = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    // Sockets are told to go away (clients reconnect elsewhere); their clean-up runs first.
    await this.#webSockets?.close();
    // One limit for everything in flight: requests first, then running jobs in what is left.
    const deadline = Date.now() + this.config.shutdownTimeoutMs;
    const timer = setTimeout(() => {
      this.logger.warn({ open: this.#sockets.size }, 'shutdown timeout: closing remaining connections');
      this.#server.closeAllConnections();
    }, this.config.shutdownTimeoutMs);
    await drained;
    clearTimeout(timer);
    // Running jobs finish while the database is still open.
    await this.#jobs?.close(Math.max(0, deadline - Date.now()));
    await this.services.close();
    this.#media?.pool.close();
    await this.#relay?.close();
    await this.orm.close(true);
    await this.#embedded?.close();
    this.logger.info('stopped');
  }
}

function listeningUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
