// Liveness, readiness and metrics endpoints. /metrics can require a bearer token: it names the
// server's operations, routes and load, which is nobody else's business.
import { createHash, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { Metrics } from '../metrics.ts';
import type { CertificateStatus } from '../tls.ts';
import { HttpError } from './http-errors.ts';

export interface ReadinessProbe {
  /** Resolves when the database answers and every migration is applied; otherwise says why not. */
  ready(): Promise<{ ok: true } | { ok: false; reason: string }>;
}

/**
 * `metricsToken`: when set, /metrics answers 401 unless sent "Authorization: Bearer <metricsToken>".
 * `certificate`: the served TLS certificate's expiry, in /healthz (what any TLS client sees anyway).
 */
export function healthRoutes(
  probe: ReadinessProbe,
  metrics: Metrics,
  metricsToken: string | undefined,
  certificate: () => CertificateStatus | undefined = () => undefined,
): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    const tls = certificate();
    ctx.body = tls ? { status: 'ok', tls } : { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const result = await probe.ready();
    ctx.status = result.ok ? 200 : 503;
    ctx.body = result.ok ? { status: 'ready' } : { status: 'not ready', reason: result.reason };
  });
  router.get('/metrics', async (ctx) => {
    if (metricsToken !== undefined && !sameSecret(/^Bearer (.+)$/i.exec(ctx.get('authorization'))?.[1] ?? '', metricsToken)) {
      ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new HttpError(401, 'UNAUTHENTICATED', 'Send "Authorization: Bearer <PROCTOR_METRICS_TOKEN>" to read /metrics');
    }
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}

/** Compares digests, so neither the time taken nor a length check tells how much of the token matched. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
