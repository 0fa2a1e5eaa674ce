// graphql-ws clients for tests: a real WebSocket to the real server.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { until, within } from './until.ts';

/** How long a test waits for an event by default: a hang guard, roomy enough for a busy machine. */
const EVENT_TIMEOUT_MS = 30_000;

export interface WsClient {
  client: Client;
  /** Resolves with the close code and reason once the server closes the socket. */
  closed: Promise<{ code: number; reason: string }>;
  request<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  subscribe(query: string, variables?: Record<string, unknown>): Subscription;
  dispose(): Promise<void>;
}

export interface Subscription {
  /** The next event, or fails after `timeoutMs`. */
  next(timeoutMs?: number): Promise<any>;
  /** The error the server ended the subscription with, if any. */
  error(timeoutMs?: number): Promise<any>;
  stop(): void;
}

/**
 * `localAddress`: the client's own address (say 127.0.0.2), to appear as another machine;
 * `headers`: sent with the upgrade request (what a reverse proxy adds, such as X-Forwarded-For).
 */
export function connect(baseUrl: string, token: string | undefined, options: { localAddress?: string; headers?: Record<string, string> } = {}): WsClient {
  let onClosed: (value: { code: number; reason: string }) => void = () => {};
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));
  const { localAddress, headers } = options;
  const client = createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl:
      localAddress || headers
        ? class extends WebSocket {
            constructor(url: string, protocols?: string | string[]) {
              super(url, protocols, { ...(localAddress ? { localAddress } : {}), ...(headers ? { headers } : {}) });
            }
          }
        : WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
    // A refused connection is what some tests are about: it is read from `closed`, not logged.
    onNonLazyError: () => {},
    on: { closed: (event) => onClosed({ code: (event as { code: number }).code, reason: String((event as { reason: unknown }).reason) }) },
  });
  return {
    client,
    closed,
    request: (query, variables = {}) =>
      new Promise((resolve, reject) => {
        let result: any;
        client.subscribe(
          { query, variables },
          { next: (value) => (result = value), error: reject, complete: () => (result.errors ? reject(new Error(JSON.stringify(result.errors))) : resolve(result.data)) },
        );
      }),
    subscribe(query, variables = {}) {
      const events: any[] = [];
      const waiters: ((value: any) => void)[] = [];
      let failure: any;
      let failed: ((value: any) => void) | undefined;
      const stop = client.subscribe(
        { query, variables },
        {
          next: (value) => {
            // A subscription refused while subscribing arrives as one result carrying errors.
            if (value.errors?.length) {
              failure = value.errors;
              failed?.(value.errors);
              return;
            }
            const waiter = waiters.shift();
            if (waiter) waiter(value);
            else events.push(value);
          },
          error: (error) => {
            failure = error;
            failed?.(error);
          },
          complete: () => {},
        },
      );
      return {
        next: (timeoutMs = EVENT_TIMEOUT_MS) =>
          within('the next event', events.length ? Promise.resolve(events.shift()) : new Promise((resolve) => waiters.push(resolve)), timeoutMs),
        error: (timeoutMs = EVENT_TIMEOUT_MS) => within('the subscription error', failure ? Promise.resolve(failure) : new Promise((resolve) => (failed = resolve)), timeoutMs),
        stop,
      };
    },
    dispose: async () => {
      try {
        await client.dispose();
      } catch (error) {
        // dispose() waits on the last connection attempt; one the server refused (a revoked join
        // link, say) rejects with its close event, and that socket is already closed.
        if (!isCloseEvent(error)) throw error;
      }
    },
  };
}

function isCloseEvent(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'code' in value && 'reason' in value;
}

/** The sockets a test file opens to its server, closed together when the test (or file) is done. */
export class SocketPool {
  readonly #url: () => string;
  readonly #sockets: WsClient[] = [];

  /** `url` is read at each open: the server starts after the pool is made. */
  constructor(url: () => string) {
    this.#url = url;
  }

  open(token: string | undefined): WsClient {
    const socket = connect(this.#url(), token);
    this.#sockets.push(socket);
    return socket;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#sockets.splice(0).map((socket) => socket.dispose()));
  }
}

/** What counts a server's subscriptions per key: a live channel, the media rooms. */
export interface Subscribable {
  listenerCount(key: string): number;
}

/**
 * Waits until the server has `count` subscriptions in place for `key`, so that what it publishes
 * from then on reaches them: graphql-ws itself never acknowledges that a subscription started.
 */
export async function subscribed(channel: Subscribable, key: string, count = 1): Promise<void> {
  await until(`${count} subscription(s) in place for ${key}`, async () => channel.listenerCount(key) >= count);
}
