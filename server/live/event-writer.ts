// Group commit for proctoring events: rows from many reportEvents calls are written together,
// at most every `flushIntervalMs` or `maxRows` rows, in ONE statement (a CTE upserting the
// violations and inserting the events), so a flush is atomic without holding a transaction open
// — which matters on the embedded database, where an open transaction blocks every connection.
// Each caller's promise resolves once its rows are committed: acknowledged means durable.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Severity, ViolationType } from '../db/entities.ts';

export interface EventRow {
  id: string;
  sessionId: string;
  /** Null for events the server detected itself. */
  seq: number | null;
  type: ViolationType;
  occurredAt: Date;
  receivedAt: Date;
  durationMs: number;
  confidence: number | null;
  metadata: Record<string, unknown> | null;
  violationId: string;
}

export interface ViolationRow {
  id: string;
  sessionId: string;
  candidateId: string;
  interviewId: string;
  type: ViolationType;
  severity: Severity;
  firstAt: Date;
  lastAt: Date;
  count: number;
  durationMs: number;
}

interface Pending {
  events: EventRow[];
  violations: Map<string, ViolationRow>;
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
}

export interface EventWriterOptions {
  flushIntervalMs: number;
  maxRows: number;
}

export class EventWriter {
  readonly #orm: MikroORM;
  readonly #options: EventWriterOptions;
  #pending: Pending = emptyBatch();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(orm: MikroORM, options: EventWriterOptions) {
    this.#orm = orm;
    this.#options = options;
  }

  /** Queues rows; resolves when they are committed. A violation row carries its latest totals. */
  write(events: EventRow[], violations: ViolationRow[]): Promise<void> {
    if (events.length === 0 && violations.length === 0) return Promise.resolve();
    const batch = this.#pending;
    batch.events.push(...events);
    for (const violation of violations) batch.violations.set(violation.id, violation);
    const committed = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    if (batch.events.length >= this.#options.maxRows) this.#flushNow();
    else this.#timer ??= setTimeout(() => this.#flushNow(), this.#options.flushIntervalMs);
    return committed;
  }

  /** Writes whatever is queued and waits for every flush under way (used at shutdown). */
  async drain(): Promise<void> {
    this.#flushNow();
    await this.#flushing;
  }

  #flushNow(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    if (batch.waiters.length === 0) return;
    this.#pending = emptyBatch();
    // Flushes run one after another so a violation's totals are never overwritten by older ones.
    this.#flushing = this.#flushing.then(() => this.#commit(batch));
  }

  async #commit(batch: Pending): Promise<void> {
    try {
      const { sql, params } = buildStatement(batch.events, [...batch.violations.values()]);
      await this.#orm.em.getConnection().execute(sql, params, 'run');
      for (const waiter of batch.waiters) waiter.resolve();
    } catch (error) {
      for (const waiter of batch.waiters) waiter.reject(error);
    }
  }
}

function emptyBatch(): Pending {
  return { events: [], violations: new Map(), waiters: [] };
}

/** `(?::uuid, ?, …), (…)` for `rows` rows, one cast per column. */
function placeholders(rows: number, casts: string[]): string {
  const row = `(${casts.map((cast) => `?${cast}`).join(', ')})`;
  return Array.from({ length: rows }, () => row).join(', ');
}

const VIOLATION_CASTS = ['::uuid', '::uuid', '::uuid', '::uuid', '', '', '::timestamptz', '::timestamptz', '::int', '::int'];
const EVENT_CASTS = ['::uuid', '::uuid', '::int', '', '::timestamptz', '::timestamptz', '::int', '::float8', '::jsonb', '::uuid'];

function buildStatement(events: EventRow[], violations: ViolationRow[]): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  for (const v of violations) {
    params.push(v.id, v.sessionId, v.candidateId, v.interviewId, v.type, v.severity, v.firstAt, v.lastAt, v.count, v.durationMs);
  }
  for (const e of events) {
    params.push(e.id, e.sessionId, e.seq, e.type, e.occurredAt, e.receivedAt, e.durationMs, e.confidence, e.metadata && JSON.stringify(e.metadata), e.violationId);
  }
  const upsertViolations = violations.length
    ? `insert into violations (id, session_id, candidate_id, interview_id, type, severity, "timestamp", last_occurred_at, count, duration_ms)
       values ${placeholders(violations.length, VIOLATION_CASTS)}
       on conflict (id) do update set severity = excluded.severity, last_occurred_at = excluded.last_occurred_at,
         count = excluded.count, duration_ms = excluded.duration_ms`
    : undefined;
  const insertEvents = events.length
    ? `insert into events (id, session_id, seq, type, occurred_at, received_at, duration_ms, confidence, metadata, violation_id)
       values ${placeholders(events.length, EVENT_CASTS)}
       on conflict (session_id, seq) do nothing`
    : undefined;
  // Data-modifying CTEs run as one statement, and the events' foreign key to a violation
  // inserted in the same statement is satisfied because constraints are checked at its end.
  const sql = upsertViolations && insertEvents ? `with upserted as (${upsertViolations} returning 1) ${insertEvents}` : (upsertViolations ?? insertEvents)!;
  return { sql, params };
}
