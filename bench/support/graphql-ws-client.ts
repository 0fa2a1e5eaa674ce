// The load generator's graphql-ws client: the graphql-transport-ws protocol spoken directly on a
// `ws` socket. graphql-ws's own client adds retries, lazy connects and a promise chain per
// message; with 500 sockets sharing the machine with the server, the bench must stay cheap, and
// it needs the moment each message arrived (taken in the socket's message handler, before any
// further queueing) to time acks and alerts.
import WebSocket from 'ws';
import { Limit, seconds } from './limits.ts';

const PROTOCOL = 'graphql-transport-ws';
const CONNECT_TIMEOUT_MS = 10_000;
/** A server too busy to finish the close handshake gets its socket cut instead. */
const CLOSE_TIMEOUT_MS = 2_000;

export interface GraphQLError {
  message: string;
  extensions?: Record<string, unknown>;
}

/** A result and when its message arrived (performance.now()). */
export interface Received<T> {
  data: T;
  receivedAt: number;
}

interface Operation {
  next(payload: { data?: unknown; errors?: GraphQLError[] }, receivedAt: number): void;
  fail(error: Error): void;
}

interface Message {
  type: string;
  id?: string;
  payload?: unknown;
}

export class GraphQLWsSocket {
  readonly #socket: WebSocket;
  readonly #operations = new Map<string, Operation>();
  #nextId = 0;
  #closedWith: Error | undefined;
  /** Told when the socket closes while operations were expected (not after `close()`). */
  onUnexpectedClose: ((reason: string) => void) | undefined;
  #closing = false;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
  }

  /** Opens a socket and completes the connection_init handshake with `authorization`. */
  static open(url: string, authorization: string): Promise<GraphQLWsSocket> {
    // No compression: the server offers none, and asking would only cost a negotiation.
    const socket = new WebSocket(url, PROTOCOL, { perMessageDeflate: false });
    const client = new GraphQLWsSocket(socket);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Limit('ack timeout', `no connection_ack within ${seconds(CONNECT_TIMEOUT_MS)}`));
      }, CONNECT_TIMEOUT_MS);
      const settle = (error: Error | undefined) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(client);
      };
      socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization } })));
      socket.on('error', (error) => settle(new Limit('connect failure', `socket error: ${error.message}`, { cause: error })));
      socket.on('message', (raw) => client.#receive(raw as Buffer, settle));
      socket.on('close', (code, reason) => {
        const error = new Limit('connect failure', `socket closed (${code} ${reason.toString()})`);
        settle(error); // no-op once the handshake is done
        client.#closed(error);
      });
    });
  }

  /**
   * A query or mutation: resolves with its data, rejects on GraphQL errors or a closed socket,
   * and with an 'ack timeout' Limit when `timeoutMs` is given and passes without an answer.
   * Without it the answer is awaited as long as the socket lives: the live bench's batches are
   * judged by their phase's own deadline instead, which counts a late ack as missing.
   */
  request<T>(query: string, variables: Record<string, unknown>, timeoutMs?: number): Promise<Received<T>> {
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.#operations.delete(id);
              reject(new Limit('ack timeout', `no answer to ${operationName(query)} within ${seconds(timeoutMs)}`));
            }, timeoutMs);
      const id = this.#start(query, variables, {
        next: (payload, receivedAt) => {
          clearTimeout(timer);
          this.#operations.delete(id);
          if (payload.errors?.length) reject(new Limit('server error', describeErrors(payload.errors)));
          else resolve({ data: payload.data as T, receivedAt });
        },
        fail: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  /** A subscription: `onData` for every result; `onError` once if it fails or the socket closes. */
  subscribe<T>(query: string, variables: Record<string, unknown>, onData: (data: T, receivedAt: number) => void, onError: (error: Error) => void): void {
    this.#start(query, variables, {
      next: (payload, receivedAt) => {
        if (payload.errors?.length) onError(new Limit('server error', describeErrors(payload.errors)));
        else onData(payload.data as T, receivedAt);
      },
      fail: onError,
    });
  }

  /** Closes normally (1000) and waits for the close handshake, or cuts the socket after CLOSE_TIMEOUT_MS. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => this.#socket.once('close', resolve));
    this.#socket.close(1000, 'bench done');
    const cut = setTimeout(() => this.#socket.terminate(), CLOSE_TIMEOUT_MS);
    await closed;
    clearTimeout(cut);
  }

  #start(query: string, variables: Record<string, unknown>, operation: Operation): string {
    const id = String(this.#nextId++);
    if (this.#closedWith) {
      operation.fail(this.#closedWith);
      return id;
    }
    this.#operations.set(id, operation);
    this.#socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
    return id;
  }

  #receive(raw: Buffer, handshakeDone: (error: Error | undefined) => void): void {
    const receivedAt = performance.now();
    const message = JSON.parse(raw.toString('utf8')) as Message;
    switch (message.type) {
      case 'connection_ack':
        handshakeDone(undefined);
        return;
      case 'ping':
        this.#socket.send('{"type":"pong"}');
        return;
      case 'next':
        this.#operations.get(message.id!)?.next(message.payload as { data?: unknown; errors?: GraphQLError[] }, receivedAt);
        return;
      case 'error':
        this.#operations.get(message.id!)?.fail(new Limit('server error', describeErrors(message.payload as GraphQLError[])));
        this.#operations.delete(message.id!);
        return;
      case 'complete':
        // A mutation's result came in its `next`; a subscription the server ends is a failure here.
        this.#operations.get(message.id!)?.fail(new Limit('server error', 'the server completed the operation'));
        this.#operations.delete(message.id!);
        return;
    }
  }

  #closed(error: Error): void {
    this.#closedWith = error;
    if (!this.#closing) this.onUnexpectedClose?.(error.message);
    for (const operation of this.#operations.values()) operation.fail(error);
    this.#operations.clear();
  }
}

/** "joinSession" for error messages: the first field the operation selects. */
function operationName(query: string): string {
  return /\{\s*(\w+)/.exec(query)?.[1] ?? 'the operation';
}

function describeErrors(errors: GraphQLError[]): string {
  return errors.map((error) => `${typeof error.extensions?.code === 'string' ? error.extensions.code : 'ERROR'}: ${error.message}`).join('; ');
}
