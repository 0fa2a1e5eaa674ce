// The Koa application: tiny middleware, one concern each, then the routes.
import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { accessLog } from './access-log.ts';
import { body } from './body.ts';
import { fetchHandler, type FetchHandler } from './fetch-handler.ts';
import { healthRoutes, type ReadinessProbe } from './health.ts';
import { httpErrors } from './http-errors.ts';
import { reportDownload, type ReportPdfSource } from './report-download.ts';
import { requestId } from './request-id.ts';
import type { CertificateStatus } from '../tls.ts';

export interface AppOptions {
  logger: Logger;
  metrics: Metrics;
  probe: ReadinessProbe;
  graphql: FetchHandler;
  reportPdf: ReportPdfSource;
  bodyLimitBytes: number;
  /** More routes (browser pages, snapshots), mounted after the API's. */
  routes?: Router[];
  /** Reverse proxies whose X-Forwarded-For / -Proto / -Host are believed (0: the socket's address and scheme count). */
  trustProxyHops: number;
  /** Bearer token /metrics requires (open when undefined). */
  metricsToken: string | undefined;
  /** The served TLS certificate's expiry, shown by /healthz (undefined without HTTPS). */
  certificate?: () => CertificateStatus | undefined;
}

export function createApp(options: AppOptions): Koa {
  // Koa's proxy setting decides the scheme and host (X-Forwarded-Proto / -Host); the client
  // address follows client-address.ts, the rule graphql-ws connections use too.
  const app = new Koa({ proxy: options.trustProxyHops > 0, maxIpsCount: options.trustProxyHops });
  app.silent = true;
  const health = healthRoutes(options.probe, options.metrics, options.metricsToken, options.certificate);
  const reports = reportDownload(options.reportPdf);
  const graphql = new Router();
  graphql.all('/graphql', body(options.bodyLimitBytes), fetchHandler(options.graphql));
  app
    .use(requestId(options.trustProxyHops))
    .use(accessLog(options.logger, options.metrics))
    .use(httpErrors(options.logger))
    .use(health.routes())
    .use(reports.routes())
    .use(graphql.routes())
    .use(graphql.allowedMethods());
  for (const router of options.routes ?? []) app.use(router.routes()).use(router.allowedMethods());
  return app;
}
