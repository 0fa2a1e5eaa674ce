// The composition root of `proctor up`: the core (database, migrations, services, relay, jobs)
// with the SFU, served over HTTP (or HTTPS) and graphql-ws. One `close()` shuts it all down in order.
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';
import { attachWebSockets, type WebSocketBridge } from '../schema/websocket.ts';
import { createGraphQLServer } from '../schema/yoga.ts';
import { authenticateForFiles } from '../schema/context.ts';
import type { Config } from './config.ts';
import { Core, type StepReporter } from './core.ts';
import { createApp } from './http/app.ts';
import type { ReadinessProbe } from './http/health.ts';
import { locateFaceModels, pageRoutes } from './http/pages.ts';
import { operatorRoutes } from './http/operator.ts';
import { recordingDownload } from './http/recording-download.ts';
import { recordingRoutes } from './http/recordings.ts';
import { snapshotRoutes } from './http/snapshots.ts';
import { Operations } from './operations/operations.ts';
import { loadOperatorKey } from './auth/secrets.ts';
import type { JobRunner } from './jobs/job-runner.ts';
import { createLogger, type Logger } from './log.ts';
import { startMedia } from './media/setup.ts';
import { Metrics } from './metrics.ts';
import { currentRequest } from './request-context.ts';
import type { Services } from './services/index.ts';
import { certificateStatus, loadTlsCertificate, type CertificateStatus, type TlsCertificate } from './tls.ts';

export type { StartupStep } from './core.ts';

export interface PlatformOptions {
  logger?: Logger;
  /** Called as each start-up step begins and ends (the CLI shows it as progress). */
  onStep?: StepReporter;
}

export class Platform implements ReadinessProbe {
  readonly config: Config;
  readonly services: Services;
  readonly logger: Logger;
  /** The ORM, for in-process collaborators (jobs, tests); request handling goes through services. */
  readonly orm: MikroORM;
  /** The background job runner (tests and benches enqueue and observe through it). */
  readonly jobs: JobRunner;
  readonly #core: Core;
  readonly #server: Server | TlsServer;
  /** The certificate being served (HTTPS only); replaced by `reloadCertificate`. */
  #certificate: TlsCertificate | undefined;
  readonly #webSockets: WebSocketBridge;
  readonly #sockets = new Set<Socket>();
  #closing: Promise<void> | undefined;
  #url: string | undefined;

  /** Serves the core's services over HTTP and graphql-ws; `create` then starts listening. */
  private constructor({
    config,
    core,
    logger,
    metrics,
    faceModels,
    operatorKey,
    certificate,
  }: {
    config: Config;
    core: Core;
    logger: Logger;
    metrics: Metrics;
    faceModels: ReturnType<typeof locateFaceModels>;
    operatorKey: string;
    certificate: TlsCertificate | undefined;
  }) {
    this.config = config;
    this.#certificate = certificate;
    // One port either way: HTTPS and WSS when a certificate is configured, plain HTTP and WS otherwise.
    this.#server = certificate ? createTlsServer({ cert: certificate.cert, key: certificate.key }) : createServer();
    if (certificate) metrics.trackCertificateExpiry(() => this.#certificate!.expiresAt);
    this.#core = core;
    this.services = core.services;
    this.orm = core.orm;
    this.jobs = core.jobs;
    this.logger = logger;
    const services = core.services;
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
      probe: this,
      bodyLimitBytes: config.bodyLimitBytes,
      trustProxyHops: config.trustProxyHops,
      metricsToken: config.metricsToken,
      certificate: () => this.certificate,
      graphql: (request, serverContext) => graphql.fetch(request, serverContext),
      routes: [
        pageRoutes({ ...config, faceModels, transcription: services.speech.transcribing ? { by: services.speech.remoteProcessor ?? null } : null }),
        snapshotRoutes(services.snapshots, (authorization) => authenticateForFiles(services, authorization)),
        recordingDownload(async (compositeId, access) =>
          services.composites.file(compositeId, { ...access, actor: access.authorization ? await authenticateForFiles(services, access.authorization) : null }),
        ),
        recordingRoutes(services.trackLinks),
        operatorRoutes(new Operations({ config, orm: core.orm, media: core.media, embedded: core.embedded, logger, publicUrl: () => config.publicUrl ?? this.url }), {
          operatorKey,
          metricsToken: config.metricsToken,
        }),
      ],
      reportPdf: async (reportId, access) =>
        services.reports.pdf(reportId, { ...access, actor: access.authorization ? await authenticateForFiles(services, access.authorization) : null }),
    });
    const handle = app.callback();
    this.#server.on('request', (request, response) => void handle(request, response));
    this.#webSockets = attachWebSockets(this.#server, graphql, {
      services,
      logger,
      maxPayloadBytes: config.bodyLimitBytes,
      maxSocketsPerOrg: config.webSocketsPerOrg,
      recheckIntervalMs: config.socketRecheckIntervalMs,
      trustProxyHops: config.trustProxyHops,
    });
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      metrics.openSockets.inc();
      socket.once('close', () => {
        this.#sockets.delete(socket);
        metrics.openSockets.dec();
      });
    });
  }

  static async create(config: Config, options: PlatformOptions = {}): Promise<Platform> {
    const logger = options.logger ?? createLogger(config.logLevel);
    const step = options.onStep ?? (() => {});
    const metrics = new Metrics();
    // Before anything starts: a server without its face models, or with a certificate it cannot
    // serve, refuses to start.
    const faceModels = locateFaceModels(config);
    const certificate = config.tlsCert && config.tlsKey ? loadTlsCertificate(config.tlsCert, config.tlsKey) : undefined;
    let platform: Platform | undefined;
    const core = await Core.create(config, {
      logger,
      metrics,
      onStep: step,
      runJobs: config.runJobs,
      jobRunnerName: `proctor-up-${process.pid}`,
      startMedia: async () => {
        step('sfu', 'start', `${config.sfuWorkers} mediasoup worker${config.sfuWorkers === 1 ? '' : 's'}`);
        const media = await startMedia(config, logger);
        step(
          'sfu',
          'done',
          `${config.sfuWorkers} worker${config.sfuWorkers === 1 ? '' : 's'}, media at ${media.announcedAddress}${config.rtcPort ? ` UDP/TCP ${config.rtcPort}-${config.rtcPort + config.sfuWorkers - 1}` : ''}${config.iceTcpPort ? `, ICE-TCP ${config.iceTcpPort}-${config.iceTcpPort + config.sfuWorkers - 1}` : ''}${config.turnUrls ? `, TURN ${config.turnUrls.join(' ')}` : ''}${media.ffmpegPath ? '' : ', recording off'}`,
        );
        return media;
      },
      // Links are made while serving requests, so after `listen` below has set the port. Behind a
      // trusted reverse proxy they use the scheme and host the proxy says the caller reached.
      publicUrl: () => config.publicUrl ?? currentRequest()?.origin ?? platform?.url,
    });
    try {
      step('http', 'start');
      platform = new Platform({ config, core, logger, metrics, faceModels, certificate, operatorKey: await loadOperatorKey(config.dataDir) });
      await platform.#listen();
      step('http', 'done', platform.url);
    } catch (error) {
      await core.close(0).catch((closing: unknown) => logger.warn({ err: closing }, 'closing after a failed start-up failed too'));
      throw error;
    }
    logger.info({ url: platform.url, embedded: !config.databaseUrl }, 'proctor is up');
    if (certificate) platform.#logCertificate('serving HTTPS');
    const insecure = insecureLinkBase(config, platform.url);
    if (insecure) {
      logger.warn(
        `CANDIDATES WILL GET NO CAMERA: links point to ${insecure}, which is not https. Browsers give the camera and microphone only to pages opened over https ` +
          '(or on this machine itself), so candidates and hosts opening these links see a page telling them so instead of the interview. To fix it, ' +
          'serve HTTPS — set PROCTOR_TLS_CERT and PROCTOR_TLS_KEY, or put Proctor behind a reverse proxy that terminates TLS (docs/deploy.md) with PROCTOR_TRUST_PROXY=true — ' +
          'and set PROCTOR_PUBLIC_URL to the https:// address',
      );
    }
    if (!faceModels) {
      logger.warn(
        'FACE CHECKS ARE OFF (PROCTOR_FACE_CHECKS=false): candidate pages do not look at the camera image, so no FACE_MISSING, MULTIPLE_FACES or LOOKING_AWAY is ever raised',
      );
    }
    return platform;
  }

  #listen(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.config.port, this.config.host, () => resolve());
    });
  }

  /** Where this server listens (the real port when 0 was asked for); kept after close for messages. */
  get url(): string {
    this.#url ??= listeningUrl(this.#certificate ? 'https' : 'http', this.config.host, (this.#server.address() as AddressInfo).port);
    return this.#url;
  }

  /** The served certificate's expiry (undefined without HTTPS): /healthz shows it, for monitors and `proctor doctor`. */
  get certificate(): CertificateStatus | undefined {
    return this.#certificate && certificateStatus(this.#certificate);
  }

  /**
   * Reads PROCTOR_TLS_CERT and PROCTOR_TLS_KEY again (`proctor up` does on SIGHUP, after a
   * renewal) and serves the new pair to every connection from now on; open connections and
   * sockets keep theirs. A pair that cannot be served is refused, logged, and the old one stays.
   */
  reloadCertificate(): boolean {
    const { tlsCert, tlsKey } = this.config;
    if (!tlsCert || !tlsKey || !this.#certificate) {
      this.logger.warn('no certificate to reload: PROCTOR_TLS_CERT and PROCTOR_TLS_KEY are not set');
      return false;
    }
    let next: TlsCertificate;
    try {
      next = loadTlsCertificate(tlsCert, tlsKey);
    } catch (error) {
      this.logger.error({ err: error }, 'certificate reload refused, still serving the previous one');
      return false;
    }
    (this.#server as TlsServer).setSecureContext({ cert: next.cert, key: next.key });
    this.#certificate = next;
    this.#logCertificate('certificate reloaded');
    return true;
  }

  #logCertificate(message: string): void {
    const certificate = this.#certificate!;
    const { expiresAt, daysLeft } = certificateStatus(certificate);
    const details = { subject: certificate.subject, serialNumber: certificate.serialNumber, expiresAt };
    if (daysLeft < 0) this.logger.error(details, `${message}: THE CERTIFICATE HAS EXPIRED (${expiresAt}); browsers refuse it — renew it, then send SIGHUP`);
    else this.logger.info(details, `${message}: certificate expires ${expiresAt} (${daysLeft} days left)`);
  }

  async ready(): Promise<{ ok: true } | { ok: false; reason: string }> {
    if (this.#closing) return { ok: false, reason: 'shutting down' };
    return this.#core.ready();
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
      this.logger.warn(
        { step, openConnections: this.#sockets.size },
        `shutdown timeout (${timeoutMs} ms + ${CLOSE_GRACE_MS} ms to close): abandoning in-flight work at the "${step}" step`,
      );
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
    // Running jobs finish, in what is left of the limit, while the database is still open.
    await this.#core.close(Math.max(0, deadline - Date.now()), onStep);
  }
}

/** After the shutdown timeout, what closing the job store, media and database may still take. */
const CLOSE_GRACE_MS = 1_000;

function listeningUrl(scheme: 'http' | 'https', host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `${scheme}://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/**
 * The base of join and room links when it is plain http on another machine's reach, where
 * browsers refuse the camera; undefined when links are https, on loopback (a secure context too),
 * or built per request from what a trusted proxy forwards.
 */
function insecureLinkBase(config: Config, listening: string): string | undefined {
  const base = config.publicUrl ?? (config.trustProxyHops > 0 ? undefined : listening);
  if (!base) return undefined;
  const { protocol, hostname } = new URL(base);
  const loopback = hostname === 'localhost' || hostname.endsWith('.localhost') || /^127\./.test(hostname) || hostname === '[::1]';
  return protocol === 'http:' && !loopback ? base : undefined;
}
