// A graphql-ws connection's credential, kept honest for the socket's whole life: verified at
// connection_init, and the socket is closed (4401) the moment the credential is revoked or
// expires — on this server process or another (the revocation channel is relayed like live
// events). Closing the socket ends its running subscriptions and media transports. Operations
// are refused once the credential has expired or was revoked, and each operation more than
// `recheckIntervalMs` after the last full verification verifies it against the database again:
// the bound on a revocation whose notification never arrived. Verifying on every operation
// instead would put a database query in front of every candidate's events and heartbeats, the
// hottest path of the server.
import { GraphQLError } from 'graphql';
import type { WebSocket } from 'ws';
import { CLOSE_CODE } from '../contract/socket-close-codes.ts';
import type { Credential } from '../server/auth/revocations.ts';
import { DomainError, UnauthenticatedError, UnavailableError } from '../server/errors.ts';
import type { Services } from '../server/services/index.ts';
import { verifyBearer } from './context.ts';

/** WebSocket close reasons are limited to 123 bytes. */
const MAX_REASON_LENGTH = 120;

export class SocketCredential {
  readonly #services: Services;
  readonly #authorization: string;
  readonly #socket: WebSocket;
  readonly #recheckIntervalMs: number;
  #credential: Credential;
  #verifiedAt: number;
  /** Why the credential ended (revoked, expired), once it has. */
  #ended: string | undefined;
  #unwatch: () => void = () => {};
  #previous: Promise<unknown> = Promise.resolve();

  private constructor(services: Services, authorization: string, socket: WebSocket, credential: Credential, recheckIntervalMs: number) {
    this.#services = services;
    this.#authorization = authorization;
    this.#socket = socket;
    this.#credential = credential;
    this.#recheckIntervalMs = recheckIntervalMs;
    this.#verifiedAt = performance.now();
  }

  /** Verifies connection_init's `authorization` and starts watching it; throws if it is refused. */
  static async open(services: Services, authorization: unknown, socket: WebSocket, recheckIntervalMs: number): Promise<SocketCredential> {
    if (typeof authorization !== 'string') {
      throw new GraphQLError('Send { authorization: "Bearer <token>" } in connection_init', { extensions: { code: 'UNAUTHENTICATED' } });
    }
    const credential = new SocketCredential(services, authorization, socket, await verifyBearer(services, authorization), recheckIntervalMs);
    credential.#watch();
    return credential;
  }

  get current(): Credential {
    return this.#credential;
  }

  /**
   * The credential for one operation: refused once it has ended, verified against the database
   * again when the last verification is older than the recheck interval. A refused one closes the
   * socket, and the error is the operation's answer; an unexpected failure (database down) fails
   * only the operation.
   */
  recheck(): Promise<Credential> {
    // One at a time, in the order operations arrive: what each operation checks after it (one
    // subscription of each kind per connection) then also runs in message order.
    const verified = this.#previous.then(() => this.#check());
    this.#previous = verified.catch(() => {});
    return verified;
  }

  async #check(): Promise<Credential> {
    const { expiresAt, expiredReason } = this.#credential;
    if (this.#ended === undefined && expiresAt !== null && expiresAt <= Date.now()) this.#end(expiredReason);
    if (this.#ended !== undefined) throw new UnauthenticatedError(this.#ended);
    if (performance.now() - this.#verifiedAt < this.#recheckIntervalMs) return this.#credential;
    return this.#verify();
  }

  async #verify(): Promise<Credential> {
    try {
      this.#credential = await verifyBearer(this.#services, this.#authorization);
      this.#verifiedAt = performance.now();
      return this.#credential;
    } catch (error) {
      // Closed after the current turn, so the operation's error answer goes out first.
      // A database that cannot answer now says nothing about the credential: only this operation fails.
      if (error instanceof DomainError && !(error instanceof UnavailableError)) this.#end(error.message, closeCode(error));
      throw error;
    }
  }

  /** Stops watching (the socket closed). */
  close(): void {
    this.#unwatch();
  }

  #watch(): void {
    // Results already pushed to running subscriptions (an interview's last status change,
    // published just before its links are revoked) go out before the close.
    this.#unwatch = this.#services.revocations.watch(this.#credential, (reason) => this.#end(reason));
  }

  /**
   * The credential has ended: later operations are refused, and the socket closes after the
   * current turn, so what is being sent on it now goes out first.
   */
  #end(reason: string, code: number = CLOSE_CODE.UNAUTHENTICATED): void {
    if (this.#ended !== undefined) return;
    this.#ended = reason;
    this.#unwatch();
    setImmediate(() => this.#socket.close(code, reason.slice(0, MAX_REASON_LENGTH)));
  }
}

/**
 * The close code for a connection refused with `error` (a domain error, or a GraphQL error with a
 * code): 4403 for a caller that may not do this, 4429 for an org at its cap, 1013 when the
 * credential could not be checked for now, 1011 for an unexpected failure, and 4401 for anything
 * wrong with the credential.
 */
export function closeCode(error: unknown): number {
  const code = error instanceof DomainError ? error.code : String((error as GraphQLError).extensions?.code);
  switch (code) {
    case 'FORBIDDEN':
    case 'LIMIT_EXCEEDED':
      return CLOSE_CODE[code];
    case 'UNAVAILABLE':
      return CLOSE_CODE.TRY_AGAIN_LATER;
    case 'INTERNAL_SERVER_ERROR':
      return CLOSE_CODE.INTERNAL_ERROR;
    default:
      return CLOSE_CODE.UNAUTHENTICATED;
  }
}
