// Prometheus metrics, one registry per platform (tests run several platforms in one process).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

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

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'proctor_' });
  }
}
