// Serves a route with a WHATWG fetch handler (graphql-yoga's shape) from Koa: builds a Request
// from the already-read body, streams the Response back.
import { Readable } from 'node:stream';
import type { Middleware } from 'koa';

export type FetchHandler = (request: Request, serverContext: Record<string, unknown>) => Response | Promise<Response>;

export function fetchHandler(handle: FetchHandler): Middleware {
  return async (ctx) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(ctx.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const body = ctx.state.body as Buffer | undefined;
    const request = new Request(new URL(ctx.originalUrl, `${ctx.protocol}://${ctx.host}`), {
      method: ctx.method,
      headers,
      ...(body && body.length > 0 ? { body: new Uint8Array(body) } : {}),
    });
    const response = await handle(request, { requestId: ctx.state.requestId });
    ctx.status = response.status;
    response.headers.forEach((value, name) => {
      if (name !== 'content-length') ctx.set(name, value);
    });
    // Async iteration works for native and ponyfilled (whatwg-node) streams alike.
    ctx.body = response.body ? Readable.from(response.body, { objectMode: false }) : null;
  };
}
