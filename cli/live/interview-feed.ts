// One interview's live events over graphql-ws, kept up through network trouble: the client
// reconnects by itself (backing off up to 5 s) and resubscribes, and says what it is doing so
// the dashboard can show it. After every (re)connection it also reloads the persisted history
// over the same socket, behind the subscription: whatever happened before the subscription was
// in place (while loading, or while the connection was down) is then in that history.
import { EventEmitter } from 'node:events';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { INTERVIEW_EVENTS_SUBSCRIPTION, type InterviewEvent } from '../../contract/live-events.ts';
import { CLOSE_CODE, REFUSED_CLOSE_CODES } from '../../contract/socket-close-codes.ts';
import { INTERVIEW_HISTORY_QUERY, type InterviewHistory } from './wire.ts';

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
/** A server that takes the connection but never completes the handshake is retried after this. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * A WebSocket that gives up on a handshake the server never completes, and that gives the server
 * a moment to answer our close, then drops the connection: ws otherwise waits forever for the
 * handshake and 30 s for a close frame that a busy or vanished server never sends, and the
 * process cannot exit meanwhile.
 */
class PromptlyClosingWebSocket extends WebSocket {
  constructor(address: string, protocols?: string | string[]) {
    super(address, protocols, { handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
  }

  override close(code?: number, reason?: string | Buffer): void {
    super.close(code, reason);
    setTimeout(() => this.terminate(), CLOSE_HANDSHAKE_MS).unref();
  }
}
export class InterviewFeed extends EventEmitter<InterviewFeedEvents> {
  #client!: Client;
  #stopSubscription: (() => void) | undefined;
  #state: ConnectionState = 'connecting';
  #everConnected = false;
  #socket: WebSocket | undefined;
  /** Aborted by close(): a retry wait in progress then never ends, so no new connection starts. */
  readonly #closing = new AbortController();

  /** Connects and subscribes; events and state changes arrive through the emitter. */
  static open(options: { server: string; token: string | undefined; interviewId: string }): InterviewFeed {
    const feed = new InterviewFeed();
    feed.#client = createClient({
      url: `${options.server.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: PromptlyClosingWebSocket,
      connectionParams: options.token ? { authorization: `Bearer ${options.token}` } : {},
      lazy: false,
      retryAttempts: Infinity,
      shouldRetry: (problem) => !REFUSED_CLOSE_CODES.has((problem as { code?: number }).code ?? 0),
      retryWait: (retries) => feed.#retryWait(Math.min(MAX_RETRY_WAIT_MS, 250 * 2 ** retries)),
      connectionAckWaitTimeout: HANDSHAKE_TIMEOUT_MS,
      // A server that vanished without closing the socket is noticed by the missing pong.
      keepAlive: 5000,
      onNonLazyError: (problem) => feed.#fail(problem),
      on: {
        connecting: () => feed.#setState(feed.#everConnected ? 'reconnecting' : 'connecting'),
        connected: (socket) => {
          feed.#socket = socket as WebSocket;
          feed.#connected(options.interviewId);
        },
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

  /**
   * Stops at once, whatever the connection is doing: a live socket is closed (dropped if the
   * server does not answer within CLOSE_HANDSHAKE_MS), a connection attempt is abandoned, and a
   * wait before retrying ends without retrying. Resolves once the socket is closed; never fails,
   * and leaves nothing that keeps the process alive.
   */
  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return;
    const socket = this.#state === 'live' ? this.#socket : undefined;
    this.#state = 'closed';
    this.#closing.abort();
    this.#stopSubscription?.();
    const closed = socket && new Promise((resolve) => socket.once('close', resolve));
    // dispose() only marks the client done and closes a live socket: it waits for a connection
    // attempt in flight to settle (forever, if the server never answers), so it is not awaited,
    // and terminate() ends such an attempt now. A live socket gets its orderly close instead.
    Promise.resolve(this.#client.dispose()).catch(() => {});
    if (!socket) this.#client.terminate();
    await closed;
  }

  #retryWait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.#closing.signal.aborted) return;
      const timer = setTimeout(resolve, ms);
      this.#closing.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    });
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
      code:
        (problem as { extensions?: { code?: string } }).extensions?.code ??
        (closeCode === CLOSE_CODE.UNAUTHENTICATED ? 'UNAUTHENTICATED' : closeCode === CLOSE_CODE.FORBIDDEN ? 'FORBIDDEN' : 'UNKNOWN'),
    });
    this.#state = 'closed';
    this.emit('failed', error);
  }
}
