// The load generator's graphql-ws client: the graphql-transport-ws protocol spoken directly on a
// `ws` socket. graphql-ws's own client adds retries, lazy connects and a promise chain per
// message; with 500 sockets sharing the machine with the server, the bench must stay cheap, and
// it needs the moment each message arrived (taken in the socket's message handler, before any
// further queueing) to time acks and alerts.
import WebSocket from 'ws';

const PROTOCOL = 'graphql-transport-ws';
const CONNECT_TIMEOUT_MS = 10_000;

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
        reject(new Error(`no connection_ack within ${CONNECT_TIMEOUT_MS} ms`));
      }, CONNECT_TIMEOUT_MS);
      const settle = (error: Error | undefined) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(client);
      };
      socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization } })));
      socket.once('error', (error) => settle(error));
      socket.on('message', (raw) => client.#receive(raw as Buffer, settle));
      socket.on('close', (code, reason) => {
        const error = new Error(`socket closed (${code} ${reason.toString()})`);
        settle(error); // no-op once the handshake is done
        client.#closed(error);
      });
    });
  }

  /** A query or mutation: resolves with its data, rejects on GraphQL errors or a closed socket. */
  request<T>(query: string, variables: Record<string, unknown>): Promise<Received<T>> {
    return new Promise((resolve, reject) => {
      const id = this.#start(query, variables, {
        next: (payload, receivedAt) => {
          this.#operations.delete(id);
          if (payload.errors?.length) reject(new Error(describeErrors(payload.errors)));
          else resolve({ data: payload.data as T, receivedAt });
        },
        fail: reject,
      });
    });
  }

  /** A subscription: `onData` for every result; `onError` once if it fails or the socket closes. */
  subscribe<T>(query: string, variables: Record<string, unknown>, onData: (data: T, receivedAt: number) => void, onError: (error: Error) => void): void {
    this.#start(query, variables, {
      next: (payload, receivedAt) => {
        if (payload.errors?.length) onError(new Error(describeErrors(payload.errors)));
        else onData(payload.data as T, receivedAt);
      },
      fail: onError,
    });
  }

  /** Closes normally (1000) and waits for the close handshake. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => this.#socket.once('close', resolve));
    this.#socket.close(1000, 'bench done');
    await closed;
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
        this.#operations.get(message.id!)?.fail(new Error(describeErrors(message.payload as GraphQLError[])));
        this.#operations.delete(message.id!);
        return;
      case 'complete':
        // A mutation's result came in its `next`; a subscription the server ends is a failure here.
        this.#operations.get(message.id!)?.fail(new Error('the server completed the operation'));
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

function describeErrors(errors: GraphQLError[]): string {
  return errors.map((error) => `${String(error.extensions?.code ?? 'ERROR')}: ${error.message}`).join('; ');
}
