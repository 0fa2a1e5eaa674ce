// Turns errors thrown by middleware into JSON bodies with a code and a human message; domain
// errors keep the codes the GraphQL API uses; an unexpected error is logged and reported without
// internals.
import type { Middleware } from 'koa';
import { asUnavailable } from '../db/unavailable.ts';
import { DomainError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../log.ts';

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  LIMIT_EXCEEDED: 429,
  INTERVIEW_ENDED: 409,
  UNAVAILABLE: 503,
};

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
    } catch (thrown) {
      const error = asUnavailable(thrown) ?? thrown;
      if (error !== thrown) logger.warn({ err: thrown }, 'database unavailable');
      if (error instanceof HttpError) {
        ctx.status = error.status;
        ctx.body = { errors: [{ message: error.message, extensions: { code: error.code } }] };
        return;
      }
      if (error instanceof DomainError) {
        ctx.status = STATUS_BY_CODE[error.code];
        // The same extensions as over GraphQL: `retriable` on UNAVAILABLE, the cap of LIMIT_EXCEEDED…
        ctx.body = { errors: [{ message: error.message, extensions: { code: error.code, ...error.details } }] };
        return;
      }
      logger.error({ err: error }, 'unhandled error');
      ctx.status = 500;
      ctx.body = { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] };
    }
  };
}
