// The embedded database's own thread: PGlite and its wire server run here, so statements execute
// beside the server's event loop instead of inside it (PGlite runs each one synchronously), as a
// PostgreSQL server would on its own core. Started and stopped by EmbeddedDatabase.
import { mkdir } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGliteWireServer } from './pglite-wire-server.ts';
import type { FromDatabaseThread, ToDatabaseThread, DatabaseThreadOptions } from './embedded.ts';

/**
 * PGlite's defaults (shared_buffers 128MB) cost ~120 MB of resident memory more than a
 * one-process interview server needs; these keep idle RSS near the server's own.
 */
const SMALL_FOOTPRINT = ['shared_buffers = 16MB', 'work_mem = 4MB', 'maintenance_work_mem = 16MB', 'temp_buffers = 2MB', 'wal_buffers = 1MB'];

const port = parentPort!;
const options = workerData as DatabaseThreadOptions;
const send = (message: FromDatabaseThread) => port.postMessage(message);

try {
  await mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir: options.dataDir, postgresqlconf: SMALL_FOOTPRINT });
  const wire = await PGliteWireServer.create({
    db,
    password: options.password,
    waitTimeoutMs: options.waitTimeoutMs,
    onStall: (stall) => send({ type: 'stall', stall }),
  }).catch(async (error: unknown) => {
    await db.close();
    throw error;
  });
  port.on('message', (message: ToDatabaseThread) => {
    if (message.type === 'dump') {
      // Between two connections' turns nothing is uncommitted: a checkpoint then writes every
      // committed page to the files, and the copy of those files is a clean, consistent database.
      wire
        .exclusive(async () => {
          await db.exec('CHECKPOINT');
          return new Uint8Array(await (await db.dumpDataDir('none')).arrayBuffer());
        })
        .then(
          (data) => port.postMessage({ type: 'dumped', id: message.id, data } satisfies FromDatabaseThread, [data.buffer]),
          (error: Error) => send({ type: 'dump-failed', id: message.id, message: error.message }),
        );
      return;
    }
    void (async () => {
      await wire.close();
      await db.close();
      send({ type: 'closed' });
      port.close();
    })();
  });
  send({ type: 'ready', address: wire.address });
} catch (error) {
  send({ type: 'failed', message: (error as Error).message });
  port.close();
}
