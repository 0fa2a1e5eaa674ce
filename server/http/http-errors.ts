// Turns errors thrown by middleware into JSON bodies with a code and a human message; an
// unexpected error is logged and reported without internals.
import type { Middleware } from 'koa';
import type { Logger } from '../log.ts';

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function httpErrors(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (error instanceof HttpError) {
        ctx.status = error.status;
        ctx.body = { errors: [{ message: error.message, extensions: { code: error.code } }] };
        return;
      }
      logger.error({ err: error }, 'unhandled error');
      ctx.status = 500;
      ctx.body = { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] };
    }
  };
}
