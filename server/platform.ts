// The composition root: opens the database (embedded unless a URL is configured), applies
// migrations, builds the services and serves HTTP. One `close()` shuts it all down in order.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';
import { attachWebSockets, type WebSocketBridge } from '../schema/websocket.ts';
import { createGraphQLServer } from '../schema/yoga.ts';
import { TokenSigner } from './auth/jwt.ts';
import { loadEmbeddedDatabasePassword, loadSigningSecret } from './auth/secrets.ts';
import { embeddedDatabaseDir, type Config } from './config.ts';
import { EmbeddedDatabase } from './db/embedded.ts';
import { migrate, openOrm } from './db/orm.ts';
import { createApp } from './http/app.ts';
import type { ReadinessProbe } from './http/health.ts';
import { locateFaceModels, pageRoutes } from './http/pages.ts';
import { snapshotRoutes } from './http/snapshots.ts';
import { createLogger, type Logger } from './log.ts';
import { NOTIFY_SQL, PgRelay } from './live/pg-relay.ts';
import { startMedia, type MediaRuntime } from './media/setup.ts';
import { Metrics } from './metrics.ts';
import { Services } from './services/index.ts';
import { authenticateForFiles } from '../schema/context.ts';
import { openJobStore } from './jobs/backend.ts';
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
    // Before anything starts: a server without its face models refuses to start.
    const faceModels = locateFaceModels(config);

    step('database', 'start', config.databaseUrl ? 'PostgreSQL server' : 'embedded PostgreSQL');
    const embedded = config.databaseUrl
      ? undefined
      : await EmbeddedDatabase.create(embeddedDatabaseDir(config), {
          password: await loadEmbeddedDatabasePassword(config.dataDir),
          waitTimeoutMs: config.databaseTimeoutMs,
          onStall: (stall) => logger.warn(stall, `embedded database: a connection was failed after ${stall.waitedMs} ms (${stall.reason}) so that others can proceed`),
          onFailure: (error) => logger.fatal({ err: error }, 'the embedded database failed: restart proctor up'),
        });
    let orm: MikroORM | undefined;
    let relay: PgRelay | undefined;
    let media: MediaRuntime | undefined;
    let jobs: JobRunner | undefined;
    try {
      orm = await openOrm({ url: config.databaseUrl ?? embedded!.url, readUrl: config.databaseReadUrl, poolSize: config.databasePoolSize, timeoutMs: config.databaseTimeoutMs, server: Boolean(config.databaseUrl) });
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
      // Several processes may share a PostgreSQL server: live events and revocations cross between them.
      relay = config.databaseUrl
        ? await PgRelay.create(config.databaseUrl, logger, [services.interviewEvents, services.candidateMessages, services.revocations.channel], (payload) =>
            orm!.em.getConnection().execute(NOTIFY_SQL, [payload]),
          )
        : undefined;
      step('jobs', 'start');
      jobs = await JobRunner.create({
        store: await openJobStore({ jobsUrl: config.jobsUrl, databaseUrl: config.databaseUrl ?? embedded!.url, embedded: !config.databaseUrl, timeoutMs: config.databaseTimeoutMs, logger }),
        logger,
        process: config.runJobs,
        handlers: services.jobHandlers,
        retry: { attempts: config.jobAttempts, delayMs: config.jobRetryDelayMs },
        pendingSweepEveryMs: config.pendingSweepIntervalMs,
        name: `proctor-up-${process.pid}`,
      });
      services.useJobQueue(jobs);
      step('jobs', 'done', jobs.describe);

      step('http', 'start');
      const platform: Platform = new Platform({ config, services, logger, orm, embedded, server });
      platform.#relay = relay;
      platform.#media = media;
      platform.#jobs = jobs;
      const limits = {
        maxDepth: config.graphqlMaxDepth,
        maxAliases: config.graphqlMaxAliases,
        maxTokens: config.graphqlMaxTokens,
        maxDirectives: config.graphqlMaxDirectives,
        maxCost: config.graphqlMaxCost,
      };
      const graphql = createGraphQLServer({ services, logger, metrics, limits, operationTimeoutMs: config.operationTimeoutMs, graphiql: config.graphiql });
      const app = createApp({
        logger,
        metrics,
        probe: platform,
        bodyLimitBytes: config.bodyLimitBytes,
        trustProxyHops: config.trustProxyHops,
        metricsToken: config.metricsToken,
        graphql: (request, serverContext) => graphql.fetch(request, serverContext),
        routes: [pageRoutes({ ...config, faceModels }), snapshotRoutes(services.snapshots, (authorization) => authenticateForFiles(services, authorization))],
        reportPdf: async (reportId, access) =>
          services.reports.pdf(reportId, { ...access, actor: access.authorization ? await authenticateForFiles(services, access.authorization) : null }),
      });
      server.on('request', app.callback());
      platform.#webSockets = attachWebSockets(server, graphql, {
        services,
        logger,
        maxPayloadBytes: config.bodyLimitBytes,
        maxSocketsPerOrg: config.webSocketsPerOrg,
        recheckIntervalMs: config.socketRecheckIntervalMs,
        trustProxyHops: config.trustProxyHops,
      });
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
      if (!faceModels) {
        logger.warn('FACE CHECKS ARE OFF (PROCTOR_FACE_CHECKS=false): candidate pages do not look at the camera image, so no FACE_MISSING, MULTIPLE_FACES or LOOKING_AWAY is ever raised');
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
   * Graceful shutdown: stop accepting, let in-flight requests and then running jobs finish within
   * the configured shutdown timeout, then close media and the database. Whatever is still not done
   * a second after the timeout is abandoned, and the log says what. Safe to call more than once.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdownWithin(this.config.shutdownTimeoutMs);
    return this.#closing;
  }

  async #shutdownWithin(timeoutMs: number): Promise<void> {
    this.logger.info({ timeoutMs }, 'shutting down');
    let step = 'http';
    const shutdown = this.#shutdown(timeoutMs, (name) => (step = name));
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), timeoutMs + CLOSE_GRACE_MS)));
    const outcome = await Promise.race([shutdown.then(() => 'done' as const), expired]);
    clearTimeout(timer);
    if (outcome === 'expired') {
      this.logger.warn({ step, openConnections: this.#sockets.size }, `shutdown timeout (${timeoutMs} ms + ${CLOSE_GRACE_MS} ms to close): abandoning in-flight work at the "${step}" step`);
      shutdown.catch((error: unknown) => this.logger.warn({ err: error }, 'abandoned shutdown step failed'));
      return;
    }
    this.logger.info('stopped');
  }

  async #shutdown(timeoutMs: number, onStep: (step: string) => void): Promise<void> {
    const drained = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    // Sockets are told to go away (clients reconnect elsewhere); their clean-up runs first.
    await this.#webSockets?.close();
    // One limit for everything in flight: requests first, then running jobs in what is left.
    const deadline = Date.now() + timeoutMs;
    const timer = setTimeout(() => {
      this.logger.warn({ open: this.#sockets.size }, 'shutdown: in-flight requests did not finish in time, closing their connections');
      this.#server.closeAllConnections();
    }, timeoutMs * 0.75);
    await drained;
    clearTimeout(timer);
    // Running jobs finish while the database is still open.
    onStep('jobs');
    await this.#jobs?.close(Math.max(0, deadline - Date.now()));
    onStep('services');
    await this.services.close();
    onStep('media');
    this.#media?.pool.close();
    await this.#relay?.close();
    onStep('database');
    await this.orm.close(true);
    await this.#embedded?.close();
  }
}

/** After the shutdown timeout, what closing the job store, media and database may still take. */
const CLOSE_GRACE_MS = 1_000;

function listeningUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
