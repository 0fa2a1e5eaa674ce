// The database baseline for the live bench: how many `events` rows per second plain `pg` gets
// into a table shaped like the server's own with multi-row INSERTs (the statement shape the
// group commit uses, `on conflict (session_id, seq) do nothing` included), one statement at a
// time on one connection as the writer flushes. The server's figure can only be lower: its
// flushes also upsert violations, check foreign keys, and share the process with everything else.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { summarizeLatencies } from './latency.ts';
import { EVENT_TYPES } from './live-load.ts';

export interface InsertRate {
  rowsPerStatement: number;
  statements: number;
  rowsPerSecond: number;
  statementP50Ms: number;
  statementP99Ms: number;
}

const SESSIONS = 500;
const CONNECT_TIMEOUT_MS = 5_000;
/** Far above a 500-row INSERT on any working database: past it, the database is stuck. */
const QUERY_TIMEOUT_MS = 10_000;
const COLUMNS = ['id', 'session_id', 'seq', 'type', 'occurred_at', 'received_at', 'duration_ms', 'confidence', 'metadata', 'violation_id'];
const CASTS = ['::uuid', '::uuid', '::int', '', '::timestamptz', '::timestamptz', '::int', '::float8', '::jsonb', '::uuid'];

// The columns, types, primary key, unique constraint, index and check of the `events` table
// (server/db/migrations); the foreign keys to sessions and violations are left out, since this
// scratch table has neither.
const CREATE_TABLE = `
  create table bench_events (
    id uuid primary key, session_id uuid not null, seq int null, type text not null,
    occurred_at timestamptz(3) not null, received_at timestamptz(3) not null, duration_ms int not null,
    confidence double precision null, metadata jsonb null, violation_id uuid null,
    unique (session_id, seq),
    check (type in (${EVENT_TYPES.map((type) => `'${type}'`).join(', ')}))
  );
  create index bench_events_violation_id_index on bench_events (violation_id);`;

/**
 * For each batch size in turn: INSERTs of that many rows back to back for `durationMs`, into a
 * fresh scratch table in the database at `url` (dropped afterwards).
 */
export async function measureInsertRates(url: string, rowsPerStatement: number[], durationMs: number): Promise<InsertRate[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, query_timeout: QUERY_TIMEOUT_MS });
  await client.connect();
  try {
    const rates: InsertRate[] = [];
    for (const rows of rowsPerStatement) {
      await client.query('drop table if exists bench_events');
      await client.query(CREATE_TABLE);
      rates.push(await insertFor(client, rows, durationMs));
    }
    await client.query('drop table if exists bench_events');
    return rates;
  } finally {
    await client.end();
  }
}

async function insertFor(client: pg.Client, rowsPerStatement: number, durationMs: number): Promise<InsertRate> {
  const sql = `insert into bench_events (${COLUMNS.join(', ')}) values ${placeholders(rowsPerStatement)} on conflict (session_id, seq) do nothing`;
  const rows = new RowSource();
  const statementMs: number[] = [];
  const started = performance.now();
  while (performance.now() - started < durationMs) {
    const params = rows.next(rowsPerStatement);
    const sent = performance.now();
    await client.query(sql, params);
    statementMs.push(performance.now() - sent);
  }
  const elapsedSeconds = (performance.now() - started) / 1000;
  const latency = summarizeLatencies(statementMs);
  return {
    rowsPerStatement,
    statements: statementMs.length,
    rowsPerSecond: (statementMs.length * rowsPerStatement) / elapsedSeconds,
    statementP50Ms: latency.p50Ms,
    statementP99Ms: latency.p99Ms,
  };
}

/** `($1::uuid, $2::uuid, …), (…)`: positional parameters, the casts the server's writer uses. */
function placeholders(rows: number): string {
  const tuples: string[] = [];
  for (let row = 0; row < rows; row++) {
    const base = row * COLUMNS.length;
    tuples.push(`(${CASTS.map((cast, column) => `$${base + column + 1}${cast}`).join(', ')})`);
  }
  return tuples.join(', ');
}

/** Rows like the bench's candidates send: 500 sessions, seqs counting up, one violation per type. */
class RowSource {
  readonly #sessions = Array.from({ length: SESSIONS }, () => ({
    id: randomUUID(),
    seq: 0,
    violations: EVENT_TYPES.map(() => randomUUID()),
  }));
  #turn = 0;

  next(count: number): unknown[] {
    const params: unknown[] = [];
    const now = new Date();
    for (let i = 0; i < count; i++) {
      const session = this.#sessions[this.#turn++ % SESSIONS]!;
      const typeIndex = session.seq % EVENT_TYPES.length;
      params.push(randomUUID(), session.id, session.seq++, EVENT_TYPES[typeIndex], now, now, 100, null, null, session.violations[typeIndex]);
    }
    return params;
  }
}
