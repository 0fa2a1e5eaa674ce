// Where Agenda keeps its jobs: the project's PostgreSQL by default (no extra service), or MongoDB
// when PROCTOR_JOBS_URL says so. Works around two Agenda 6.2.6 behaviours:
//  - its constructor calls backend.connect() without a catch, so an unreachable database would be
//    an unhandled rejection and start() would hang: we connect first, report the failure
//    ourselves, and hand Agenda a backend that is already connected;
//  - on the embedded database NOTIFY does not cross connections, so notifications
//    would be silently lost: there the backend's LISTEN/NOTIFY is off and an in-memory channel
//    wakes this process's processor instead of 5 s polling (one process owns that database).
import { MongoBackend } from '@agendajs/mongo-backend';
import { PostgresBackend } from '@agendajs/postgres-backend';
import { InMemoryNotificationChannel, type AgendaBackend, type NotificationChannel } from 'agenda';
import pg from 'pg';
import type { Logger } from '../log.ts';

export interface JobStore {
  backend: AgendaBackend;
  /** Set when notifications come from outside the backend (the embedded database). */
  notificationChannel: NotificationChannel | undefined;
  describe: string;
  /**
   * The shortest polling interval worth using. On the embedded database every connection shares
   * one session, so each poll makes the server's own queries wait: chatty polling there is avoided
   * (new jobs still start at once through notifications).
   */
  minPollMs: number;
}

const CONNECT_TIMEOUT_MS = 5_000;
/** Connections the job processor needs: lock queries, saves and the LISTEN client. */
export const JOB_POOL_SIZE = 4;

export async function openJobStore(options: {
  jobsUrl: string | undefined;
  databaseUrl: string;
  embedded: boolean;
  /** Longest one of Agenda's statements may run (server) or wait for its answer. */
  timeoutMs: number;
  logger: Logger;
}): Promise<JobStore> {
  if (options.jobsUrl) {
    const backend = new MongoBackend({ address: options.jobsUrl, options: { serverSelectionTimeoutMS: CONNECT_TIMEOUT_MS } });
    await connect(backend, 'the jobs MongoDB');
    return { backend: new ConnectedBackend(backend), notificationChannel: undefined, describe: 'MongoDB', minPollMs: 250 };
  }
  // One connection on the embedded database: all connections share its one session, so more
  // would only queue.
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.embedded ? 1 : JOB_POOL_SIZE,
    application_name: 'proctor-jobs',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // A job enqueue inside a request must not wait forever on a lock or a lost answer.
    query_timeout: options.timeoutMs + CONNECT_TIMEOUT_MS,
    ...(options.embedded ? {} : { statement_timeout: options.timeoutMs }),
  });
  // A dropped idle connection (database restart) is logged; pg replaces it on the next query.
  pool.on('error', (error) => options.logger.warn({ err: error }, 'a jobs database connection failed'));
  // The table comes from a migration (Migration20261124203000_agenda_jobs): processes starting
  // together would otherwise race on Agenda's CREATE TABLE IF NOT EXISTS.
  const backend = new PostgresBackend({ pool, disableNotifications: options.embedded, ensureSchema: false });
  await connect(backend, 'the database for jobs', () => pool.end());
  // The LISTEN channel reconnects by itself; its errors are events, which must have a listener.
  (backend.notificationChannel as unknown as NodeJS.EventEmitter | undefined)?.on('error', (error: Error) =>
    options.logger.warn({ err: error }, 'job notifications: connection lost, reconnecting'),
  );
  return {
    // Agenda leaves a pool it was given open: closing the store ends it.
    backend: new ConnectedBackend(backend, () => pool.end()),
    notificationChannel: options.embedded ? new InMemoryNotificationChannel() : undefined,
    describe: options.embedded ? 'embedded PostgreSQL, in-process wake-ups' : 'PostgreSQL, LISTEN/NOTIFY',
    minPollMs: options.embedded ? 5_000 : 250,
  };
}

async function connect(backend: AgendaBackend, what: string, cleanUp?: () => Promise<unknown>): Promise<void> {
  try {
    await backend.connect();
  } catch (error) {
    await cleanUp?.().catch(() => {});
    throw new Error(`Cannot reach ${what}: ${(error as Error).message}`, { cause: error });
  }
}

/** A connected backend whose connect() is a no-op: what Agenda's constructor may safely call. */
class ConnectedBackend implements AgendaBackend {
  readonly #inner: AgendaBackend;
  readonly #release: (() => Promise<unknown>) | undefined;

  constructor(inner: AgendaBackend, release?: () => Promise<unknown>) {
    this.#inner = inner;
    this.#release = release;
  }

  get name() {
    return this.#inner.name;
  }
  get repository() {
    return this.#inner.repository;
  }
  get notificationChannel() {
    return this.#inner.notificationChannel;
  }
  get logger() {
    return this.#inner.logger;
  }
  get ownsConnection() {
    return true;
  }

  async connect(): Promise<void> {}

  async disconnect(): Promise<void> {
    await this.#inner.disconnect();
    await this.#release?.();
  }
}
