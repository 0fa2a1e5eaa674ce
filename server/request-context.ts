// Per-request facts (request id, client address, the origin a trusted proxy says was reached) carried through async calls, so logs and the
// audit trail can name the request without threading it through every signature.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  requestId: string;
  clientAddress: string;
  /** Scheme and host the caller reached through a trusted reverse proxy (see forwardedOrigin). */
  origin?: string | undefined;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentRequest(): RequestContext | undefined {
  return requestContext.getStore();
}
