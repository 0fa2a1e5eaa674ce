// A graphql-ws connection's credential, kept honest for the socket's whole life: verified at
// connection_init and again for every operation sent on the socket, and the socket is closed
// (4401) the moment the credential is revoked or expires — on this server process or another
// (the revocation channel is relayed like live events). Closing the socket ends its running
// subscriptions and media transports.
import { GraphQLError } from 'graphql';
import type { WebSocket } from 'ws';
import type { Credential } from '../server/auth/revocations.ts';
import { DomainError } from '../server/errors.ts';
import type { Services } from '../server/services/index.ts';
import { verifyBearer } from './context.ts';

export const CLOSE_CODE = {
  UNAUTHENTICATED: 4401,
  FORBIDDEN: 4403,
  LIMIT_EXCEEDED: 4429,
  /** The credential could not be checked (the database is unavailable): graphql-ws clients retry this one. */
  TRY_AGAIN_LATER: 1013,
  INTERNAL_ERROR: 1011,
} as const;
/** WebSocket close reasons are limited to 123 bytes. */
const MAX_REASON_LENGTH = 120;

export class SocketCredential {
  readonly #services: Services;
  readonly #authorization: string;
  readonly #socket: WebSocket;
  #credential: Credential;
  #unwatch: () => void = () => {};
  #previous: Promise<unknown> = Promise.resolve();

  private constructor(services: Services, authorization: string, socket: WebSocket, credential: Credential) {
    this.#services = services;
    this.#authorization = authorization;
    this.#socket = socket;
    this.#credential = credential;
  }

  /** Verifies connection_init's `authorization` and starts watching it; throws if it is refused. */
  static async open(services: Services, authorization: unknown, socket: WebSocket): Promise<SocketCredential> {
    if (typeof authorization !== 'string') {
      throw new GraphQLError('Send { authorization: "Bearer <token>" } in connection_init', { extensions: { code: 'UNAUTHENTICATED' } });
    }
    const credential = new SocketCredential(services, authorization, socket, await verifyBearer(services, authorization));
    credential.#watch();
    return credential;
  }

  get current(): Credential {
    return this.#credential;
  }

  /**
   * Verifies the credential again for one operation. A refused one closes the socket, and the
   * error is the operation's answer; an unexpected failure (database down) fails only the operation.
   */
  recheck(): Promise<Credential> {
    // One at a time, in the order operations arrive: what each operation checks after it (one
    // subscription of each kind per connection) then also runs in message order.
    const verified = this.#previous.then(() => this.#verify());
    this.#previous = verified.catch(() => {});
    return verified;
  }

  async #verify(): Promise<Credential> {
    try {
      this.#credential = await verifyBearer(this.#services, this.#authorization);
      return this.#credential;
    } catch (error) {
      // Closed after the current turn, so the operation's error answer goes out first.
      if (error instanceof DomainError) this.#closeSoon(closeCode(error), error.message);
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
    this.#unwatch = this.#services.revocations.watch(this.#credential, (reason) => this.#closeSoon(CLOSE_CODE.UNAUTHENTICATED, reason));
  }

  /** Closes the socket after the current turn: what is being sent on it now goes out first. */
  #closeSoon(code: number, reason: string): void {
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
