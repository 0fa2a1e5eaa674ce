// The embedded default: PostgreSQL compiled to WASM (PGlite) in this process, reachable over a
// loopback socket so MikroORM and `pg` use it exactly like a server.
// PGlite is one backend session shared by every connection: PGliteWireServer hands it to one
// connection at a time, for a whole statement or transaction, and bounds how long others wait.
// LISTEN/NOTIFY does not cross connections.
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGliteWireServer, type WireStall } from './pglite-wire-server.ts';

/**
 * PGlite's defaults (shared_buffers 128MB) cost ~120 MB of resident memory more than a
 * one-process interview server needs; these keep idle RSS near the server's own.
 */
const SMALL_FOOTPRINT = ['shared_buffers = 16MB', 'work_mem = 4MB', 'maintenance_work_mem = 16MB', 'temp_buffers = 2MB', 'wal_buffers = 1MB'];

export interface EmbeddedDatabaseOptions {
  /** Required of every connection (other local users must not reach the data); none when absent. */
  password?: string | undefined;
  /** Longest a connection waits for the shared session before its statement fails (SQLSTATE 57014). */
  waitTimeoutMs: number;
  onStall?: (stall: WireStall) => void;
}

export class EmbeddedDatabase {
  readonly #db: PGlite;
  readonly #wire: PGliteWireServer;
  readonly url: string;

  private constructor(db: PGlite, wire: PGliteWireServer, password: string | undefined) {
    this.#db = db;
    this.#wire = wire;
    this.url = `postgres://postgres${password ? `:${encodeURIComponent(password)}` : ''}@${wire.address}/postgres`;
  }

  /** Opens (initialising on first use) the database in `dataDir`. */
  static async create(dataDir: string, options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
    await mkdir(dataDir, { recursive: true });
    const db = await PGlite.create({ dataDir, postgresqlconf: SMALL_FOOTPRINT });
    try {
      const wire = await PGliteWireServer.create({ db, password: options.password, waitTimeoutMs: options.waitTimeoutMs, onStall: options.onStall });
      return new EmbeddedDatabase(db, wire, options.password);
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.#wire.close();
    await this.#db.close();
  }
}
