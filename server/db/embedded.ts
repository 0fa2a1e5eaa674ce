// The embedded default: PostgreSQL compiled to WASM (PGlite) in this process, reachable over a
// loopback socket so MikroORM and `pg` use it exactly like a server.
// Facts this design rests on: every connection shares ONE backend session, an open transaction
// blocks every other connection, and LISTEN/NOTIFY does not cross connections.
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * PGlite's defaults (shared_buffers 128MB) cost ~120 MB of resident memory more than a
 * one-process interview server needs; these keep idle RSS near the server's own.
 */
const SMALL_FOOTPRINT = ['shared_buffers = 16MB', 'work_mem = 4MB', 'maintenance_work_mem = 16MB', 'temp_buffers = 2MB', 'wal_buffers = 1MB'];

export class EmbeddedDatabase {
  readonly #db: PGlite;
  readonly #server: PGLiteSocketServer;
  readonly url: string;

  private constructor(db: PGlite, server: PGLiteSocketServer, url: string) {
    this.#db = db;
    this.#server = server;
    this.url = url;
  }

  /**
   * Opens (initialising on first use) the database in `dataDir`. `maxConnections` must cover
   * every pool together: the socket server drops connections beyond it.
   */
  static async create(dataDir: string, maxConnections: number): Promise<EmbeddedDatabase> {
    await mkdir(dataDir, { recursive: true });
    const db = await PGlite.create({ dataDir, postgresqlconf: SMALL_FOOTPRINT });
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
    await server.start();
    return new EmbeddedDatabase(db, server, `postgres://postgres@${server.getServerConn()}/postgres`);
  }

  async close(): Promise<void> {
    await this.#server.stop();
    await this.#db.close();
  }
}
