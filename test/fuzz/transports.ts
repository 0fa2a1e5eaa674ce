// Sends one fuzz case over HTTP (POST /graphql; subscriptions as Server-Sent Events) or over
// graphql-ws, and says what came back: the error codes (OK when data came without errors,
// SUBSCRIBED when the server took the subscription), the HTTP status or close code, and the
// text of the answer for the leak check. A subscription the server takes sends nothing: it is
// known to be in place when the server's count of live listeners moves.
import { connect, type WsClient } from '../support/live.ts';
import { withRawNumbers } from './hostile-values.ts';
import type { FuzzOperation } from './operations.ts';
import type { Principal } from './world.ts';

export type Transport = 'http' | 'ws';
export const TRANSPORTS: readonly Transport[] = ['http', 'ws'];

export interface Outcome {
  codes: string[];
  /** HTTP status, or the WebSocket close code when the socket closed on the case. */
  status?: number;
  /** What the server answered, as text (the leak check reads it). */
  answer: string;
}

/** The server's live listener count (every channel a subscription listens on). */
export type ListenerCount = () => number;

/** A hang guard per case: far above any sane answer, so only a stuck server trips it. */
const CASE_TIMEOUT_MS = 15_000;

/** The codes of a GraphQL result: each error's code (NO_CODE when it has none), or OK. */
export function codesOf(result: unknown): string[] {
  const body = result as { data?: unknown; errors?: { extensions?: { code?: unknown } }[] } | null;
  if (body && Array.isArray(body.errors) && body.errors.length > 0)
    return body.errors.map((error) => (typeof error?.extensions?.code === 'string' ? error.extensions.code : 'NO_CODE'));
  if (body && 'data' in body) return ['OK'];
  return ['NOT_A_GRAPHQL_RESULT'];
}

/** Resolves once `count()` differs from `from`; `stop` ends the wait early. */
function moved(count: ListenerCount, from: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (stop.aborted) clearInterval(timer);
      else if (count() !== from) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
}

/** After a subscription is dropped, until its listener is gone, so the next case starts from a still count. */
async function settled(count: ListenerCount, to: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (count() > to && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}

export function requestText(operation: FuzzOperation, token: string | undefined): string {
  return `${token ?? ''}\n${operation.rawBody ?? `${operation.query}\n${JSON.stringify(operation.variables)}`}`;
}

export async function overHttp(baseUrl: string, token: string | undefined, operation: FuzzOperation, listeners: ListenerCount): Promise<Outcome> {
  const subscription = operation.kind === 'subscription' && operation.rawBody === undefined;
  const controller = new AbortController();
  const timeout = setTimeout(() => controller.abort(new Error(`no answer within ${CASE_TIMEOUT_MS} ms`)), CASE_TIMEOUT_MS);
  const before = listeners();
  try {
    const response = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: subscription ? 'text/event-stream' : 'application/graphql-response+json, application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: operation.rawBody ?? withRawNumbers(JSON.stringify({ query: operation.query, variables: operation.variables })),
      signal: controller.signal,
    });
    if (!subscription || !response.headers.get('content-type')?.includes('text/event-stream')) {
      const answer = await response.text();
      return { codes: parsedCodes(answer, response.status), status: response.status, answer };
    }
    // The first event, or the server counting one more listener: whichever comes first.
    const first = firstEvent(response.body!);
    const taken = moved(listeners, before, controller.signal).then(() => undefined);
    const event = await Promise.race([first, taken]);
    controller.abort();
    await settled(listeners, before);
    return event === undefined ? { codes: ['SUBSCRIBED'], status: response.status, answer: '' } : { codes: parsedCodes(event), status: response.status, answer: event };
  } catch (error) {
    if (controller.signal.aborted && controller.signal.reason instanceof Error) return { codes: ['TIMEOUT'], answer: controller.signal.reason.message };
    return { codes: ['HTTP_FAILED'], answer: String(error) };
  } finally {
    clearTimeout(timeout);
    controller.abort();
  }
}

/** The codes of a JSON answer; HTTP_<status> for one that is not JSON (Node refusing oversized headers with 431). */
function parsedCodes(answer: string, status?: number): string[] {
  try {
    return codesOf(JSON.parse(answer));
  } catch {
    return [status === undefined ? 'NOT_JSON' : `HTTP_${status}`];
  }
}

/** The data of the first SSE event of a stream, or '' when it ends without one. */
async function firstEvent(body: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  try {
    for await (const chunk of body) {
      text += decoder.decode(chunk, { stream: true });
      const data = /^data: ?(.*)$/m.exec(text.split('\n\n').slice(0, -1).join('\n'));
      if (data) return data[1]!;
    }
  } catch {
    // Aborted once the subscription was counted.
  }
  return '';
}

/** The graphql-ws connections of one batch: one per principal, opened again when the server closed it. */
export class Sockets {
  readonly #baseUrl: string;
  readonly #open = new Map<Principal, { socket: WsClient; closed: boolean }>();
  readonly #all: WsClient[] = [];

  constructor(baseUrl: string) {
    this.#baseUrl = baseUrl;
  }

  /** Anonymous connections are refused at once: each case gets its own, with its own (bad) token. */
  for(principal: Principal, token: string | undefined): WsClient {
    const current = this.#open.get(principal);
    if (principal !== 'anonymous' && current && !current.closed) return current.socket;
    const entry = { socket: connect(this.#baseUrl, token), closed: false };
    void entry.socket.closed.then(() => (entry.closed = true));
    this.#all.push(entry.socket);
    if (principal !== 'anonymous') this.#open.set(principal, entry);
    return entry.socket;
  }

  async close(): Promise<void> {
    this.#open.clear();
    await Promise.all(this.#all.splice(0).map((socket) => socket.dispose()));
  }
}

export async function overWebSocket(socket: WsClient, operation: FuzzOperation, listeners: ListenerCount): Promise<Outcome> {
  const before = listeners();
  const stopWaiting = new AbortController();
  let unsubscribe: () => void = () => {};
  const outcome = await new Promise<Outcome>((resolve) => {
    let result: unknown;
    const timeout = setTimeout(() => resolve({ codes: ['TIMEOUT'], answer: `no answer within ${CASE_TIMEOUT_MS} ms` }), CASE_TIMEOUT_MS);
    const settle = (outcome: Outcome) => {
      clearTimeout(timeout);
      stopWaiting.abort();
      resolve(outcome);
    };
    unsubscribe = socket.client.subscribe(
      { query: operation.query, variables: operation.variables },
      {
        next: (value) => {
          if (operation.kind === 'subscription') settle({ codes: codesOf(value), answer: JSON.stringify(value) });
          else result = value;
        },
        error: (error) => settle(errorOutcome(error)),
        complete: () => settle(result === undefined ? { codes: ['COMPLETE_WITHOUT_RESULT'], answer: '' } : { codes: codesOf(result), answer: JSON.stringify(result) }),
      },
    );
    if (operation.kind === 'subscription') void moved(listeners, before, stopWaiting.signal).then(() => settle({ codes: ['SUBSCRIBED'], answer: '' }));
  });
  unsubscribe();
  if (outcome.codes[0] === 'SUBSCRIBED') await settled(listeners, before);
  return outcome;
}

/** graphql-ws hands a sink the server's errors, the socket's CloseEvent, or an Error. */
function errorOutcome(error: unknown): Outcome {
  if (Array.isArray(error)) return { codes: codesOf({ errors: error }), answer: JSON.stringify(error) };
  const close = error as { code?: unknown; reason?: unknown };
  if (typeof close?.code === 'number') return { codes: [`WS_CLOSE_${close.code}`], status: close.code, answer: typeof close.reason === 'string' ? close.reason : '' };
  return { codes: ['WS_FAILED'], answer: String(error) };
}
