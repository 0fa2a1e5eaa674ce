// MikroORM set-up: one primary pool, an optional read replica for dashboard reads, and the
// committed migrations, applied at start-up.
import { MikroORM, defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import pg from 'pg';
import { entities } from './entities.ts';
import { migrations } from './migrations/index.ts';

export interface DatabaseOptions {
  url: string;
  readUrl?: string | undefined;
  poolSize: number;
  /**
   * No statement may hang: the longest a query runs (PostgreSQL's statement_timeout, on a server)
   * and the longest a caller waits for a free connection of the pool. The embedded database
   * bounds its own waits (PGliteWireServer).
   */
  timeoutMs?: number | undefined;
  /** The URL is a PostgreSQL server (statement_timeout applies), not the embedded database. */
  server?: boolean;
}

export function ormConfig(options: DatabaseOptions) {
  const timeouts = options.timeoutMs ? { connectionTimeoutMillis: options.timeoutMs, ...(options.server ? { statement_timeout: options.timeoutMs } : {}) } : {};
  return defineConfig({
    clientUrl: options.url,
    entities,
    pool: { min: 0, max: options.poolSize },
    driverOptions: timeouts,
    debug: false,
    // Reads go to the primary unless a query asks for the replica (read-your-writes by default).
    preferReadReplicas: false,
    replicas: options.readUrl ? [{ name: 'read', clientUrl: options.readUrl }] : [],
    extensions: [Migrator],
    // Agenda's job tables: created by a migration, owned by Agenda, not entities.
    schemaGenerator: { skipTables: ['agenda_jobs', 'agenda_logs'] },
    migrations: { path: 'server/db/migrations', glob: 'Migration*.ts', snapshot: false, silent: true, migrationsList: migrations },
  });
}

export async function openOrm(options: DatabaseOptions): Promise<MikroORM> {
  return MikroORM.init(ormConfig(options));
}

/** Any fixed number: the key of the advisory lock that serialises migrations. */
const MIGRATION_LOCK_KEY = 0x70726f63; // "proc"

/**
 * Applies pending migrations; returns the names applied. On a database server several
 * processes may start at once, so they take turns under an advisory lock held on a connection
 * of its own (the embedded database is one process, and its shared session makes locks moot).
 */
export async function migrate(orm: MikroORM, serverUrl: string | undefined): Promise<string[]> {
  const run = async () => (await orm.migrator.up()).map((m) => m.name);
  if (!serverUrl) return run();
  const lock = new pg.Client({ connectionString: serverUrl, application_name: 'proctor-migrations' });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    return await run();
  } finally {
    await lock.end(); // ending the session releases the lock
  }
}
