// Gives every request an id (the caller's X-Request-Id when sane) and runs the rest of the
// request inside that context, with the client's address, so logs, audit entries and rate limits
// carry them.
import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import { requestContext } from '../request-context.ts';
import { clientAddress, forwardedOrigin } from './client-address.ts';

const ACCEPTABLE_ID = /^[\w.:-]{1,64}$/;

/** `trustProxyHops`: reverse proxies whose X-Forwarded-* are believed (see client-address.ts). */
export function requestId(trustProxyHops: number): Middleware {
  return async (ctx, next) => {
    const given = ctx.get('x-request-id');
    const id = ACCEPTABLE_ID.test(given) ? given : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    await requestContext.run({ requestId: id, clientAddress: clientAddress(ctx.req, trustProxyHops), origin: forwardedOrigin(ctx.req, trustProxyHops) }, next);
  };
}
