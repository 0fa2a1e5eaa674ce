// One log line and one latency sample per request, named by the route template (`/i/:token`),
// never the raw path: paths carry join tokens and ids, and as metric labels they would grow
// without bound.
import type { Context, Middleware } from 'koa';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';

export function accessLog(logger: Logger, metrics: Metrics): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const seconds = (performance.now() - started) / 1000;
      const route = routeOf(ctx);
      metrics.httpDuration.observe({ method: ctx.method, route, status: String(ctx.status) }, seconds);
      logger.info({ method: ctx.method, route, status: ctx.status, ms: Math.round(seconds * 1e4) / 10 }, 'request');
    }
  };
}

/** The template @koa/router matched, or "unmatched" for anything no route took. */
function routeOf(ctx: Context): string {
  const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  return typeof matched === 'string' ? matched : 'unmatched';
}
