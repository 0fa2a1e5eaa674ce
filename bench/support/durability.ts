// Acknowledged means durable: after the server has stopped, every seq it acknowledged must be a
// row in `events`. Read with the server stopped, so the embedded database (one process only) can
// be opened here, the way bench/support/dataset.ts seeds it, and the same code serves PostgreSQL.
import { loadConfig } from '../../server/config.ts';
import { Platform } from '../../server/platform.ts';
import type { Storage } from './dataset.ts';

export interface Durability {
  acknowledged: number;
  /** Rows with a client seq in the bench's sessions. */
  persisted: number;
  /** Acknowledged but not in the table: must be 0. */
  lost: number;
  /** Stored but never acknowledged (the ack was lost or still in flight at the end): allowed. */
  persistedUnacknowledged: number;
}

/** Compares the acknowledged seqs per session with the rows in storage. */
export async function checkDurability(storage: Storage, acknowledged: Map<string, number[]>): Promise<Durability> {
  const persisted = await persistedSeqs(storage);
  let acknowledgedCount = 0;
  let lost = 0;
  let persistedCount = 0;
  let persistedUnacknowledged = 0;
  for (const [sessionId, seqs] of acknowledged) {
    const stored = persisted.get(sessionId) ?? new Set<number>();
    const acked = new Set(seqs);
    acknowledgedCount += acked.size;
    persistedCount += stored.size;
    for (const seq of acked) if (!stored.has(seq)) lost++;
    for (const seq of stored) if (!acked.has(seq)) persistedUnacknowledged++;
  }
  return { acknowledged: acknowledgedCount, persisted: persistedCount, lost, persistedUnacknowledged };
}

/** Every client seq per session; the bench's storage holds only the bench's sessions. */
async function persistedSeqs(storage: Storage): Promise<Map<string, Set<number>>> {
  const platform = await Platform.create(loadConfig({}, { port: 0, dataDir: storage.dataDir, databaseUrl: storage.databaseUrl, logLevel: 'warn' }));
  try {
    const rows = await platform.orm.em.getConnection().execute<{ session_id: string; seq: number }[]>('select session_id, seq from events where seq is not null');
    const bySession = new Map<string, Set<number>>();
    for (const row of rows) {
      let seqs = bySession.get(row.session_id);
      if (!seqs) bySession.set(row.session_id, (seqs = new Set()));
      seqs.add(row.seq);
    }
    return bySession;
  } finally {
    await platform.close();
  }
}
