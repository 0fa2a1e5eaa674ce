// Reads request bodies with a size limit (413 beyond it) and rejects malformed JSON (400), so
// handlers downstream get `ctx.state.body` as a checked Buffer.
import type { Middleware } from 'koa';
import { HttpError } from './http-errors.ts';

export function body(limitBytes: number): Middleware {
  return async (ctx, next) => {
    if (ctx.method === 'GET' || ctx.method === 'HEAD' || ctx.method === 'OPTIONS') {
      await next();
      return;
    }
    const declared = Number(ctx.get('content-length') || 0);
    if (declared > limitBytes) throw tooLarge(limitBytes);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limitBytes) throw tooLarge(limitBytes);
      chunks.push(chunk);
    }
    const raw = Buffer.concat(chunks);
    if (ctx.is('application/json', 'application/graphql-response+json')) {
      try {
        JSON.parse(raw.toString('utf8'));
      } catch (error) {
        throw new HttpError(400, 'BAD_REQUEST', `The request body is not valid JSON: ${(error as Error).message}`);
      }
    }
    ctx.state.body = raw;
    await next();
  };
}

function tooLarge(limitBytes: number): HttpError {
  return new HttpError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than the ${Math.round(limitBytes / 1024)} KB limit`);
}
