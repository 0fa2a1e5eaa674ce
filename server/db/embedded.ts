// The embedded default: PostgreSQL compiled to WASM (PGlite), run on a thread of this process and
// reachable over a loopback socket, so MikroORM and `pg` use it exactly like a server.
// PGlite is one backend session shared by every connection: PGliteWireServer hands it to one
// connection at a time, for a whole statement or transaction, and bounds how long others wait.
// LISTEN/NOTIFY does not cross connections.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { WireStall } from './pglite-wire-server.ts';

export interface EmbeddedDatabaseOptions {
  /** Required of every connection (other local users must not reach the data); none when absent. */
  password?: string | undefined;
  /** Longest a connection waits for the shared session before its statement fails (SQLSTATE 57014). */
  waitTimeoutMs: number;
  onStall?: (stall: WireStall) => void;
  /** The database thread failed after start-up (its connections are gone with it). */
  onFailure?: (error: Error) => void;
}

/** What the database thread is started with. */
export interface DatabaseThreadOptions {
  dataDir: string;
  password: string | undefined;
  waitTimeoutMs: number;
}

export type ToDatabaseThread = { type: 'close' } | { type: 'dump'; id: number };
export type FromDatabaseThread =
  | { type: 'ready'; address: string }
  | { type: 'failed'; message: string }
  | { type: 'stall'; stall: WireStall }
  | { type: 'closed' }
  | { type: 'dumped'; id: number; data: Uint8Array<ArrayBuffer> }
  | { type: 'dump-failed'; id: number; message: string };

const THREAD = new URL('./embedded-thread.ts', import.meta.url);

export class EmbeddedDatabase {
  readonly #thread: Worker;
  readonly url: string;
  readonly #dumps = new Map<number, { resolve: (data: Uint8Array<ArrayBuffer>) => void; reject: (error: Error) => void }>();
  #nextDump = 1;
  #closing: Promise<void> | undefined;

  private constructor(thread: Worker, address: string, password: string | undefined) {
    this.#thread = thread;
    thread.on('message', (message: FromDatabaseThread) => {
      if (message.type !== 'dumped' && message.type !== 'dump-failed') return;
      const waiting = this.#dumps.get(message.id);
      this.#dumps.delete(message.id);
      if (message.type === 'dumped') waiting?.resolve(message.data);
      else waiting?.reject(new Error(`Cannot copy the embedded database: ${message.message}`));
    });
    thread.once('exit', () => {
      for (const waiting of this.#dumps.values()) waiting.reject(new Error('The embedded database closed during the copy'));
      this.#dumps.clear();
    });
    this.url = `postgres://postgres${password ? `:${encodeURIComponent(password)}` : ''}@${address}/postgres`;
  }

  /** Opens (initialising on first use) the database in `dataDir`. */
  static async create(dataDir: string, options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
    const thread = new Worker(THREAD, { workerData: { dataDir, password: options.password, waitTimeoutMs: options.waitTimeoutMs } satisfies DatabaseThreadOptions });
    const address = await new Promise<string>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`The embedded database thread exited (code ${code}) while starting`));
      thread.once('error', reject);
      thread.once('exit', onExit);
      thread.on('message', (message: FromDatabaseThread) => {
        if (message.type === 'ready') {
          thread.off('error', reject);
          thread.off('exit', onExit);
          resolve(message.address);
        } else if (message.type === 'failed') {
          reject(new Error(`Cannot open the embedded database in ${dataDir}: ${message.message}`));
        } else if (message.type === 'stall') {
          options.onStall?.(message.stall);
        }
      });
    });
    thread.on('error', (error: Error) => options.onFailure?.(error));
    return new EmbeddedDatabase(thread, address, options.password);
  }

  /**
   * A consistent copy of the whole database as a tar of its data directory (PGlite's
   * dumpDataDir, taken between two connections' turns after a checkpoint); PGlite's `loadDataDir`
   * opens it. Connections wait while it is taken.
   */
  dump(): Promise<Uint8Array<ArrayBuffer>> {
    if (this.#closing) return Promise.reject(new Error('The embedded database is closing'));
    const id = this.#nextDump++;
    return new Promise((resolve, reject) => {
      this.#dumps.set(id, { resolve, reject });
      this.#thread.postMessage({ type: 'dump', id } satisfies ToDatabaseThread);
    });
  }

  /** Closes the database (a running statement finishes first) and ends its thread. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const exited = once(this.#thread, 'exit');
      this.#thread.postMessage({ type: 'close' } satisfies ToDatabaseThread);
      await exited;
    })();
    return this.#closing;
  }
}
