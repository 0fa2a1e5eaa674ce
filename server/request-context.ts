// Per-request facts (request id, client address) carried through async calls, so logs and the
// audit trail can name the request without threading it through every signature.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  requestId: string;
  clientAddress: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentRequest(): RequestContext | undefined {
  return requestContext.getStore();
}
