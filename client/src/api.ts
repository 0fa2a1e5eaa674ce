// The pages' way to the server: GraphQL over HTTP before there is a session, and one graphql-ws
// socket after (mutations, subscriptions) that reconnects by itself and says when it did.
import { createClient, type Client } from 'graphql-ws';
import type { PageConfig } from '../../contract/page-config.ts';
import { REFUSED_CLOSE_CODES } from '../../contract/socket-close-codes.ts';

export class ApiError extends Error {
  readonly code: string;
  /** The server's finer reason, when it gives one (EXPIRED, STATEMENT_SUBMITTED…). */
  readonly reason: string | undefined;
  constructor(message: string, code: string, reason?: string) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; reason?: string } }[];
}

export async function graphql<T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('The server cannot be reached. Check your connection and reload the page.', 'UNREACHABLE');
  }
  const body = (await response.json().catch(() => ({}))) as GraphQLBody<T>;
  return unwrap(body);
}

function unwrap<T>(body: GraphQLBody<T>): T {
  const first = body.errors?.[0];
  if (first) throw new ApiError(first.message, first.extensions?.code ?? 'UNKNOWN', first.extensions?.reason);
  if (!body.data) throw new ApiError('The server sent an empty answer', 'UNKNOWN');
  return body.data;
}

export async function loadPageConfig(): Promise<PageConfig> {
  const response = await fetch('/app-config.json');
  if (!response.ok) throw new ApiError('The server did not send the page configuration', 'UNKNOWN');
  return (await response.json()) as PageConfig;
}

export interface LiveOptions {
  token: string;
  /** After every reconnect (not the first connect). */
  onReconnected?: () => void;
  onDisconnected?: () => void;
  /** The server refused the token (revoked link, interview over): no more retries. */
  onRefused?: (reason: string) => void;
}

export class LiveConnection {
  readonly #client: Client;

  constructor(options: LiveOptions) {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
    this.#client = createClient({
      url,
      lazy: false,
      connectionParams: { authorization: `Bearer ${options.token}` },
      keepAlive: 10_000,
      retryAttempts: Number.POSITIVE_INFINITY,
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** retries, 3000))),
      shouldRetry: (event) => !REFUSED_CLOSE_CODES.has((event as CloseEvent).code),
      onNonLazyError: () => {},
      on: {
        connected: (_socket, _payload, wasRetry) => wasRetry && options.onReconnected?.(),
        closed: (event) => {
          const { code, reason } = event as CloseEvent;
          if (REFUSED_CLOSE_CODES.has(code)) options.onRefused?.(reason);
          else options.onDisconnected?.();
        },
      },
    });
  }

  /** The graphql-ws client itself, for the media room's signaling on this same socket. */
  get client(): Client {
    return this.#client;
  }

  /** One query or mutation; waits through a reconnect rather than failing. */
  request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    return new Promise((resolve, reject) => {
      let body: GraphQLBody<T> = {};
      this.#client.subscribe<T>(
        { query, variables },
        {
          next: (value) => (body = value as GraphQLBody<T>),
          error: (error) => reject(error instanceof Error ? error : new ApiError('The connection closed', 'DISCONNECTED')),
          complete: () => {
            try {
              resolve(unwrap(body));
            } catch (error) {
              reject(error);
            }
          },
        },
      );
    });
  }

  /** A subscription, re-established by the client after every reconnect; returns its stop. */
  subscribe<T>(query: string, variables: Record<string, unknown>, next: (data: T) => void): () => void {
    return this.#client.subscribe<T>(
      { query, variables },
      {
        next: (value) => value.data && next(value.data),
        error: () => {},
        complete: () => {},
      },
    );
  }

  close(): void {
    void this.#client.dispose();
  }
}
