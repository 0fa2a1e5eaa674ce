// Liveness, readiness and metrics endpoints.
import Router from '@koa/router';
import type { Metrics } from '../metrics.ts';

export interface ReadinessProbe {
  /** Resolves when the database answers and every migration is applied; otherwise says why not. */
  ready(): Promise<{ ok: true } | { ok: false; reason: string }>;
}

export function healthRoutes(probe: ReadinessProbe, metrics: Metrics): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const result = await probe.ready();
    ctx.status = result.ok ? 200 : 503;
    ctx.body = result.ok ? { status: 'ready' } : { status: 'not ready', reason: result.reason };
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}
