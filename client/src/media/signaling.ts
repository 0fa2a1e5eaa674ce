/// <reference lib="dom" />
// Our GraphQL media operations over the page's graphql-ws client (the same connection that
// carries monitoring): one request helper, one subscription helper, errors with their code.
import type { Client } from 'graphql-ws';
import { MEDIA_OPERATIONS, type MediaRoomEvent } from '../../../contract/media-signaling.ts';

export class SignalingError extends Error {
  /** The server's error code (FORBIDDEN, NOT_FOUND, CONFLICT, BAD_USER_INPUT…). */
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = 'SignalingError';
    this.code = code;
  }
}

type Operation = keyof typeof MEDIA_OPERATIONS;

interface GraphQLErrorLike {
  message: string;
  extensions?: { code?: unknown };
}

/** `errors` is what graphql-ws fails with: the operation's GraphQL errors, or an Error or close event. */
function toError(errors: unknown): SignalingError {
  const first = Array.isArray(errors) ? (errors[0] as GraphQLErrorLike | undefined) : undefined;
  const code = first?.extensions?.code;
  if (first) return new SignalingError(first.message, typeof code === 'string' ? code : 'UNKNOWN');
  return new SignalingError(errors instanceof Error ? errors.message : 'signaling connection failed', 'CONNECTION');
}

export class Signaling {
  readonly #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  /** Runs one media operation; resolves with its root field's value. */
  request<T>(operation: Operation, variables: Record<string, unknown>): Promise<T> {
    return new Promise((resolve, reject) => {
      let settled = false;
      this.#client.subscribe<Record<string, unknown>>(
        { query: MEDIA_OPERATIONS[operation], variables },
        {
          next: (result) => {
            settled = true;
            if (result.errors?.length) reject(toError(result.errors));
            else resolve(result.data?.[operation] as T);
          },
          error: (error) => reject(toError(error)),
          complete: () => {
            if (!settled) reject(new SignalingError(`${operation}: no result`, 'CONNECTION'));
          },
        },
      );
    });
  }

  /** The interview's media room events; returns the function that stops them. */
  roomEvents(interviewId: string | undefined, onEvent: (event: MediaRoomEvent) => void, onError: (error: SignalingError) => void): () => void {
    return this.#client.subscribe<{ mediaRoomEvents: MediaRoomEvent }>(
      { query: MEDIA_OPERATIONS.mediaRoomEvents, variables: { interviewId } },
      {
        next: (result) => (result.errors?.length ? onError(toError(result.errors)) : result.data && onEvent(result.data.mediaRoomEvents)),
        error: (error) => onError(toError(error)),
        complete: () => {},
      },
    );
  }
}
