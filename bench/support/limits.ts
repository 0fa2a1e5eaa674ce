// How a bench tells a saturated or stuck server from a bug of its own. Every wait on the server
// has a deadline; what the server (or the machine) caused ends as a Limit with one of a few kinds
// and is reported as a result, so the bench prints what it measured up to there. Any other error
// is the bench's own bug and still fails the process.

export type LimitKind =
  /** No answer in time: a connection_ack, a mutation's result, an HTTP response, an alert. */
  | 'ack timeout'
  /** Answers came, but too slowly: a latency percentile past its bound. */
  | 'p99 over bound'
  /** The connection itself failed: refused, reset, or closed by the server. */
  | 'connect failure'
  /** The server answered with an error, returned a 5xx, or died. */
  | 'server error'
  /** The bench's overall time budget ran out. */
  | 'budget spent'
  /** Ctrl-C or SIGTERM. */
  | 'interrupted';

export class Limit extends Error {
  readonly kind: LimitKind;

  constructor(kind: LimitKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Limit';
    this.kind = kind;
  }
}

/** Deadline for one call a bench makes to set things up: sign-up, log-in, invite, join, a single report. */
export const CALL_TIMEOUT_MS = 15_000;

/** Socket-level error codes (Node and undici): the connection, not the answer, failed. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTCONN', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT']);
/** undici's timeouts for an answer that does not come. */
const ANSWER_TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/**
 * The Limit an error from talking to the server amounts to, or undefined when it is a bug of the
 * bench. Follows `cause` chains: fetch reports "fetch failed" with the socket's error as cause.
 */
export function asLimit(error: unknown): Limit | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (current instanceof Limit) return current;
    const message = current.message;
    if (current.name === 'TimeoutError') return new Limit('ack timeout', describe(error), { cause: error });
    const code = (current as NodeJS.ErrnoException).code;
    if (code && ANSWER_TIMEOUT_CODES.has(code)) return new Limit('ack timeout', describe(error), { cause: error });
    if (code && CONNECTION_CODES.has(code)) return new Limit('connect failure', describe(error), { cause: error });
    // GraphQLClient.ok in test/support: the server answered with GraphQL errors.
    if (message.startsWith('GraphQL failed:')) return new Limit('server error', message, { cause: error });
    // pg's own deadlines ("Query read timeout", "… due to connection timeout") carry no code.
    if (/\btime(d )?out\b/i.test(message)) return new Limit('ack timeout', describe(error), { cause: error });
  }
  return undefined;
}

/** "fetch failed (UND_ERR_HEADERS_TIMEOUT: Headers Timeout Error)": the message with its causes. */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    parts.push(code && !current.message.includes(code) ? `${code}: ${current.message}` : current.message);
  }
  return parts[0] + (parts.length > 1 ? ` (${parts.slice(1).join('; ')})` : '');
}

/**
 * `work`, or a Limit once `ms` have passed ('ack timeout', naming `what`) or `signal` aborted
 * (its reason). The work itself is not cancelled: give it its own deadline where it can take one.
 */
export function within<T>(work: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => finish(() => reject(signal!.reason));
    const timer = setTimeout(() => finish(() => reject(new Limit('ack timeout', `${what}: no answer within ${seconds(ms)}`))), ms);
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}

/** "10 s", "1.5 s", "250 ms". */
export function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

/** For `.catch()`: a Limit gets `what` in front of its message (which call failed); other errors pass unchanged. */
export function naming(what: string): (error: unknown) => never {
  return (error) => {
    const limit = asLimit(error);
    throw limit ? new Limit(limit.kind, `${what}: ${limit.message}`, { cause: error }) : error;
  };
}
