// One interview's live events over graphql-ws, kept up through network trouble: the client
// reconnects by itself (backing off up to 5 s) and resubscribes, and says what it is doing so
// the dashboard can show it. After every (re)connection it also reloads the persisted history
// over the same socket, behind the subscription: whatever happened before the subscription was
// in place (while loading, or while the connection was down) is then in that history.
import { EventEmitter } from 'node:events';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { INTERVIEW_EVENTS_SUBSCRIPTION, INTERVIEW_HISTORY_QUERY, type InterviewEvent, type InterviewHistory } from './wire.ts';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface InterviewFeedEvents {
  event: [InterviewEvent];
  /** Every change of connection state; `reconnected` is true when live again after a drop. */
  connection: [{ state: ConnectionState; reconnected: boolean; reason?: string }];
  /** The persisted history, loaded after each (re)connection once the subscription is requested. */
  history: [InterviewHistory, { reconnected: boolean }];
  /** The server refused the subscription or the token: the feed is over. */
  failed: [Error & { code?: string }];
}

const MAX_RETRY_WAIT_MS = 5000;
const CLOSE_HANDSHAKE_MS = 500;

/**
 * A WebSocket that gives the server a moment to answer our close, then drops the connection: ws
 * otherwise waits 30 s for a close frame that a busy or vanished server never sends, and the
 * process cannot exit meanwhile.
 */
class PromptlyClosingWebSocket extends WebSocket {
  override close(code?: number, reason?: string | Buffer): void {
    super.close(code, reason);
    setTimeout(() => this.terminate(), CLOSE_HANDSHAKE_MS).unref();
  }
}
/** Close codes that no retry will fix: a bad or expired token, a token that may not connect. */
const FATAL_CLOSE_CODES = new Set([4401, 4403]);

export class InterviewFeed extends EventEmitter<InterviewFeedEvents> {
  #client!: Client;
  #stopSubscription: (() => void) | undefined;
  #state: ConnectionState = 'connecting';
  #everConnected = false;

  /** Connects and subscribes; events and state changes arrive through the emitter. */
  static open(options: { server: string; token: string | undefined; interviewId: string }): InterviewFeed {
    const feed = new InterviewFeed();
    feed.#client = createClient({
      url: `${options.server.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: PromptlyClosingWebSocket,
      connectionParams: options.token ? { authorization: `Bearer ${options.token}` } : {},
      lazy: false,
      retryAttempts: Infinity,
      shouldRetry: (problem) => !FATAL_CLOSE_CODES.has((problem as { code?: number }).code ?? 0),
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(MAX_RETRY_WAIT_MS, 250 * 2 ** retries))),
      // A server that vanished without closing the socket is noticed by the missing pong.
      keepAlive: 5000,
      onNonLazyError: (problem) => feed.#fail(problem),
      on: {
        connecting: () => feed.#setState(feed.#everConnected ? 'reconnecting' : 'connecting'),
        connected: () => feed.#connected(options.interviewId),
        closed: (event) => {
          if (feed.#state !== 'closed') feed.#setState('reconnecting', (event as { reason?: string }).reason || undefined);
        },
      },
    });
    feed.#stopSubscription = feed.#client.subscribe<{ interviewEvents: InterviewEvent }>(
      { query: INTERVIEW_EVENTS_SUBSCRIPTION, variables: { interviewId: options.interviewId } },
      {
        next: (result) => {
          if (result.errors?.length) feed.#fail(result.errors[0]);
          else if (result.data) feed.emit('event', result.data.interviewEvents);
        },
        error: (problem) => feed.#fail(problem),
        complete: () => {},
      },
    );
    return feed;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  async close(): Promise<void> {
    this.#state = 'closed';
    this.#stopSubscription?.();
    await this.#client.dispose();
  }

  #connected(interviewId: string): void {
    const reconnected = this.#everConnected;
    this.#everConnected = true;
    this.#state = 'live';
    this.emit('connection', { state: 'live', reconnected });
    // Sent after the subscription on the same socket, so the server has it in place first.
    this.#client.subscribe<{ interview: InterviewHistory }>(
      { query: INTERVIEW_HISTORY_QUERY, variables: { id: interviewId } },
      {
        next: (result) => {
          if (result.data) this.emit('history', result.data.interview, { reconnected });
        },
        // A failed reload changes nothing shown; the next reconnection tries again.
        error: () => {},
        complete: () => {},
      },
    );
  }

  #setState(state: ConnectionState, reason?: string): void {
    if (this.#state === state) return;
    this.#state = state;
    this.emit('connection', { state, reconnected: false, ...(reason ? { reason } : {}) });
  }

  #fail(problem: unknown): void {
    if (this.#state === 'closed') return;
    const closeCode = (problem as { code?: unknown }).code;
    const message =
      (problem as { message?: string }).message ??
      ((problem as { reason?: string }).reason || (typeof closeCode === 'number' ? `connection closed (${closeCode})` : String(problem)));
    const error = Object.assign(new Error(message), {
      code: ((problem as { extensions?: { code?: string } }).extensions?.code ?? (closeCode === 4401 ? 'UNAUTHENTICATED' : closeCode === 4403 ? 'FORBIDDEN' : 'UNKNOWN')) as string,
    });
    this.#state = 'closed';
    this.emit('failed', error);
  }
}
