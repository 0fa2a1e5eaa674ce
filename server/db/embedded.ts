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

export type ToDatabaseThread = { type: 'close' };
export type FromDatabaseThread = { type: 'ready'; address: string } | { type: 'failed'; message: string } | { type: 'stall'; stall: WireStall } | { type: 'closed' };

const THREAD = new URL('./embedded-thread.ts', import.meta.url);

export class EmbeddedDatabase {
  readonly #thread: Worker;
  readonly url: string;
  #closing: Promise<void> | undefined;

  private constructor(thread: Worker, address: string, password: string | undefined) {
    this.#thread = thread;
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
