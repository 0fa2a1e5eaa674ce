// Gives every request an id (the caller's X-Request-Id when sane) and runs the rest of the
// request inside that context, so logs and audit entries carry it.
import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import { requestContext } from '../request-context.ts';

const ACCEPTABLE_ID = /^[\w.:-]{1,64}$/;

export function requestId(): Middleware {
  return async (ctx, next) => {
    const given = ctx.get('x-request-id');
    const id = ACCEPTABLE_ID.test(given) ? given : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    await requestContext.run({ requestId: id, clientAddress: ctx.ip }, next);
  };
}
