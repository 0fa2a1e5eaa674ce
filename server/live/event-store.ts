// The proctoring events and violations tables, as the group commit writes them: one statement (a
// CTE upserting the violations and inserting the events) for any number of sessions, storing only
// the rows of interviews that have not ended. Each table's columns, casts and values are declared
// once, side by side, so the column list, the VALUES row and the parameters cannot drift apart.
import type { MikroORM } from '@mikro-orm/postgresql';
import { ENDED_INTERVIEW_STATUSES, type Severity, type ViolationType } from '../db/entities.ts';

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
  /** Covered by the candidate's accommodations: no alert, not counted. */
  accommodated: boolean;
}

/** An event row and the interview its session belongs to (which decides whether it is written). */
export interface RoutedEvent {
  event: EventRow;
  interviewId: string;
}

interface Column<Row> {
  name: string;
  /** The cast a VALUES row needs for PostgreSQL to type its parameter ('' when text will do). */
  cast: string;
  value: (row: Row) => unknown;
}

const VIOLATION_COLUMNS: Column<ViolationRow>[] = [
  { name: 'id', cast: '::uuid', value: (v) => v.id },
  { name: 'session_id', cast: '::uuid', value: (v) => v.sessionId },
  { name: 'candidate_id', cast: '::uuid', value: (v) => v.candidateId },
  { name: 'interview_id', cast: '::uuid', value: (v) => v.interviewId },
  { name: 'type', cast: '', value: (v) => v.type },
  { name: 'severity', cast: '', value: (v) => v.severity },
  { name: '"timestamp"', cast: '::timestamptz', value: (v) => v.firstAt },
  { name: 'last_occurred_at', cast: '::timestamptz', value: (v) => v.lastAt },
  { name: 'count', cast: '::int', value: (v) => v.count },
  { name: 'duration_ms', cast: '::int', value: (v) => v.durationMs },
  { name: 'accommodated', cast: '::boolean', value: (v) => v.accommodated },
];

const EVENT_COLUMNS: Column<RoutedEvent>[] = [
  { name: 'id', cast: '::uuid', value: ({ event }) => event.id },
  { name: 'session_id', cast: '::uuid', value: ({ event }) => event.sessionId },
  { name: 'seq', cast: '::int', value: ({ event }) => event.seq },
  { name: 'type', cast: '', value: ({ event }) => event.type },
  { name: 'occurred_at', cast: '::timestamptz', value: ({ event }) => event.occurredAt },
  { name: 'received_at', cast: '::timestamptz', value: ({ event }) => event.receivedAt },
  { name: 'duration_ms', cast: '::int', value: ({ event }) => event.durationMs },
  { name: 'confidence', cast: '::float8', value: ({ event }) => event.confidence },
  { name: 'metadata', cast: '::jsonb', value: ({ event }) => event.metadata && JSON.stringify(event.metadata) },
  { name: 'violation_id', cast: '::uuid', value: ({ event }) => event.violationId },
];
/** Travels in the VALUES row beside the event's columns, to pick the rows of open interviews; not stored. */
const EVENT_INTERVIEW: Column<RoutedEvent> = { name: 'interview_id', cast: '::uuid', value: ({ interviewId }) => interviewId };

export class EventStore {
  readonly #orm: MikroORM;

  constructor(orm: MikroORM) {
    this.#orm = orm;
  }

  /**
   * Upserts the violations and inserts the events (a repeated seq is left as it was), of the
   * interviews among `interviewIds` that have not ended; returns those interviews' ids. Reads each
   * interview FOR SHARE: an end (an UPDATE of the row) committed first leaves its rows out, and
   * one that comes later waits for this statement.
   */
  async insert(interviewIds: string[], events: RoutedEvent[], violations: ViolationRow[]): Promise<Set<string>> {
    const params: unknown[] = [...interviewIds];
    const parts = [
      `open as (select id from interviews where id in (${interviewIds.map(() => '?::uuid').join(', ')})
         and status not in (${ENDED_INTERVIEW_STATUSES.map((status) => `'${status}'`).join(', ')}) for share)`,
    ];
    if (violations.length) {
      const columns = names(VIOLATION_COLUMNS);
      parts.push(`upserted as (insert into violations (${columns})
         select ${columns} from (values ${valueRows(violations, VIOLATION_COLUMNS, params)}) as v(${columns})
         where v.interview_id in (select id from open)
         on conflict (id) do update set severity = excluded.severity, last_occurred_at = excluded.last_occurred_at,
           count = excluded.count, duration_ms = excluded.duration_ms
         returning 1)`);
    }
    if (events.length) {
      const columns = names(EVENT_COLUMNS);
      parts.push(`inserted as (insert into events (${columns})
         select ${columns} from (values ${valueRows(events, [...EVENT_COLUMNS, EVENT_INTERVIEW], params)}) as e(${columns}, ${EVENT_INTERVIEW.name})
         where e.${EVENT_INTERVIEW.name} in (select id from open)
         on conflict (session_id, seq) do nothing
         returning 1)`);
    }
    // Data-modifying CTEs run as one statement, and the events' foreign key to a violation
    // inserted in the same statement is satisfied because constraints are checked at its end.
    const sql = `with ${parts.join(',\n')} select id from open`;
    const open = await this.#orm.em.getConnection().execute<{ id: string }[]>(sql, params, 'all');
    return new Set(open.map((row) => row.id));
  }
}

function names<Row>(columns: Column<Row>[]): string {
  return columns.map((column) => column.name).join(', ');
}

/** `(?::uuid, ?, …), (…)`, one per row, pushing each row's values onto `params` in column order. */
function valueRows<Row>(rows: Row[], columns: Column<Row>[], params: unknown[]): string {
  const placeholders = `(${columns.map((column) => `?${column.cast}`).join(', ')})`;
  for (const row of rows) for (const column of columns) params.push(column.value(row));
  return rows.map(() => placeholders).join(', ');
}
