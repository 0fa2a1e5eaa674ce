// Database failures that say "not now" rather than "never": a statement that timed out or waited
// too long for the embedded database, a lost or refused connection, a server restarting. Callers
// get them as one retriable domain error instead of an internal one.
import { UnavailableError } from '../errors.ts';

/** SQLSTATEs of transient failures (PostgreSQL appendix A, and what PGliteWireServer sends). */
const TRANSIENT_SQLSTATES = new Set([
  '57014', // query_canceled: statement_timeout, or a wait for the embedded database
  '25P03', // idle_in_transaction_session_timeout
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
]);
const TRANSIENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);
/** What `pg` says when a pool slot or a connection does not come in time, or a socket drops. */
const TRANSIENT_MESSAGES = /timeout exceeded when trying to connect|Connection terminated|connection timeout|Client has encountered a connection error/i;

/** The retriable error `error` stands for, or undefined when it is not a transient database failure. */
export function asUnavailable(error: unknown): UnavailableError | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    const transient =
      (typeof code === 'string' && (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_NETWORK_CODES.has(code) || code.startsWith('08'))) || TRANSIENT_MESSAGES.test(current.message);
    if (transient) return new UnavailableError(`The database is busy or unreachable: ${current.message}`);
  }
  return undefined;
}
