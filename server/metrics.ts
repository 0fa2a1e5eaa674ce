// Prometheus metrics, one registry per platform (tests run several platforms in one process).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MediaSnapshot {
  workers: number;
  workerRestarts: number;
  rooms: number;
  producers: number;
  recordings: number;
}

export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'proctor_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly graphqlDuration = new Histogram({
    name: 'proctor_graphql_operation_duration_seconds',
    help: 'GraphQL operation latency',
    labelNames: ['operation', 'type', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly graphqlErrors = new Counter({
    name: 'proctor_graphql_errors_total',
    help: 'GraphQL errors returned, by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly eventsIngested = new Counter({
    name: 'proctor_events_ingested_total',
    help: 'Proctoring events accepted and stored, by type and origin (client, or server-detected)',
    labelNames: ['type', 'origin'] as const,
    registers: [this.registry],
  });

  readonly eventsRejected = new Counter({
    name: 'proctor_events_rejected_total',
    help: 'Proctoring events refused, by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly alertsPublished = new Counter({
    name: 'proctor_alerts_published_total',
    help: 'Live alerts (new violations and their updates) published to hosts, by severity',
    labelNames: ['severity'] as const,
    registers: [this.registry],
  });

  readonly openSockets = new Gauge({
    name: 'proctor_open_sockets',
    help: 'Open TCP connections to the HTTP server',
    registers: [this.registry],
  });

  /** What the media side reports at scrape time (set by the services once the SFU exists). */
  mediaSnapshot: () => MediaSnapshot = () => ({ workers: 0, workerRestarts: 0, rooms: 0, producers: 0, recordings: 0 });

  readonly mediaWorkers = this.#snapshotGauge('proctor_sfu_workers', 'mediasoup worker processes running', (m) => m.workers);
  readonly mediaWorkerRestarts = this.#snapshotGauge('proctor_sfu_worker_restarts', 'mediasoup workers restarted after dying, since start-up', (m) => m.workerRestarts);
  readonly mediaRooms = this.#snapshotGauge('proctor_media_rooms', 'Open media rooms (LIVE interviews with a router)', (m) => m.rooms);
  readonly mediaProducers = this.#snapshotGauge('proctor_media_producers', 'Streams being sent into the SFU (candidates and hosts)', (m) => m.producers);
  readonly recordingsActive = this.#snapshotGauge('proctor_recordings_active', 'Candidate recordings being written by ffmpeg', (m) => m.recordings);

  /** Live subscriptions in this process per channel (set by the services), read when Prometheus scrapes. */
  liveSubscriptions: () => Record<string, number> = () => ({});

  readonly liveSubscriptionsGauge: Gauge<'channel'> = new Gauge({
    name: 'proctor_live_subscriptions',
    help: 'Subscriptions open on this process, by channel (interviewEvents: hosts watching; candidateMessages: candidate pages)',
    labelNames: ['channel'] as const,
    registers: [this.registry],
    collect: () => {
      for (const [channel, count] of Object.entries(this.liveSubscriptions())) this.liveSubscriptionsGauge.set({ channel }, count);
    },
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'proctor_' });
  }

  /** Registered only when HTTPS is served: a 0 for "no certificate" would read as long expired. */
  trackCertificateExpiry(expiresAt: () => Date): void {
    const gauge: Gauge = new Gauge({
      name: 'proctor_tls_certificate_expiry_seconds',
      help: 'When the served TLS certificate expires, in seconds since the Unix epoch (alert on it minus time())',
      registers: [this.registry],
      collect: () => gauge.set(expiresAt().getTime() / 1000),
    });
  }

  /** A gauge read from the media snapshot when Prometheus scrapes. */
  #snapshotGauge(name: string, help: string, read: (snapshot: MediaSnapshot) => number): Gauge {
    const gauge: Gauge = new Gauge({
      name,
      help,
      registers: [this.registry],
      collect: () => gauge.set(read(this.mediaSnapshot())),
    });
    return gauge;
  }
}
