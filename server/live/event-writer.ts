// Group commit for proctoring events: rows from many reportEvents calls are written together in
// ONE statement per flush (a CTE upserting the
// violations and inserting the events), so a flush is atomic without holding a transaction open
// — which matters on the embedded database, where an open transaction blocks every connection.
// Each caller's promise resolves once its rows are committed: acknowledged means durable.
//
// A flush starts as soon as the writer is idle (after the current turn, so writes that arrived
// together go together), and whatever queues up while a flush is under way goes in the next one:
// a quiet server commits each batch at once, a busy one in bigger statements, with no timer to
// wait for. `maxRows` queued rows start a flush even while another is under way.
//
// Three guarantees beyond atomicity:
//  - A session's violations are folded at flush time from its committed totals, and those totals
//    change only once the rows are committed: a row that is not stored is never counted.
//  - One bad row cannot fail the others (other candidates, other orgs): when the database refuses
//    a flush for its data, it is retried session by session, then row by row, and only the rows
//    it still refuses are rejected.
//  - Nothing is stored for an interview that has ended: the statement reads each interview's
//    status FOR SHARE. An end that committed first refuses the rows (INTERVIEW_ENDED); an end that
//    comes later waits for this statement, so the report made after the end sees its rows.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../log.ts';
import { EventStore, type EventRow, type ViolationRow } from './event-store.ts';

/** An event waiting for its flush: the violation it belongs to is decided then. */
export type QueuedEvent = Omit<EventRow, 'violationId'>;

/** Queued events folded into a session's violations (which carry their new totals). */
export interface FoldedRows {
  events: EventRow[];
  violations: ViolationRow[];
  /** The rows are committed: their totals become the session's. */
  keep(): void;
}

/** A session's violations, as the writer folds queued events into them. */
export interface SessionAggregation {
  readonly sessionId: string;
  readonly interviewId: string;
  /** Folds `events` (in order) into the committed violations, leaving those unchanged until `keep`. */
  fold(events: QueuedEvent[]): FoldedRows;
}

/** What became of one queued event. */
export type EventOutcome = { stored: true } | { stored: false; code: 'INTERVIEW_ENDED' | 'BAD_USER_INPUT'; message: string };

export interface EventWriterOptions {
  maxRows: number;
}

interface Write {
  session: SessionAggregation;
  events: QueuedEvent[];
  resolve: (outcomes: EventOutcome[]) => void;
  reject: (error: unknown) => void;
}

interface SessionGroup {
  session: SessionAggregation;
  events: QueuedEvent[];
}

/** Per event id: its outcome, or the error that kept it from being judged. */
type Results = Map<string, EventOutcome | { error: unknown }>;

const STORED: EventOutcome = { stored: true };
/**
 * SQLSTATE classes that blame the rows rather than the database: data exceptions (22: invalid
 * JSON or text, out-of-range values), integrity constraints (23) and program limits (54: too deep).
 * Anything else (a lost connection, a shutdown) fails every row alike and the pages retry.
 */
const ROW_ERROR_CLASSES = ['22', '23', '54'];

export class EventWriter {
  readonly #eventStore: EventStore;
  readonly #logger: Logger;
  readonly #options: EventWriterOptions;
  #pending: Write[] = [];
  #pendingRows = 0;
  #scheduled = false;
  #inFlight = 0;
  #flushing: Promise<void> = Promise.resolve();

  constructor(orm: MikroORM, logger: Logger, options: EventWriterOptions) {
    this.#eventStore = new EventStore(orm);
    this.#logger = logger;
    this.#options = options;
  }

  /**
   * Queues a session's events; resolves, once the flush is done, with each event's outcome (in
   * order). Rejects only when the flush failed for every row alike (the database is unreachable).
   */
  write(session: SessionAggregation, events: QueuedEvent[]): Promise<EventOutcome[]> {
    if (events.length === 0) return Promise.resolve([]);
    const done = new Promise<EventOutcome[]>((resolve, reject) => this.#pending.push({ session, events, resolve, reject }));
    this.#pendingRows += events.length;
    if (this.#pendingRows >= this.#options.maxRows) this.#flushNow();
    else if (this.#inFlight === 0 && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#flushNow();
      });
    }
    return done;
  }

  /** Writes whatever is queued and waits for every flush under way (used at shutdown). */
  async drain(): Promise<void> {
    while (this.#pending.length > 0 || this.#inFlight > 0) {
      this.#flushNow();
      await this.#flushing;
    }
  }

  #flushNow(): void {
    const writes = this.#pending;
    if (writes.length === 0) return;
    this.#pending = [];
    this.#pendingRows = 0;
    this.#inFlight++;
    // Flushes run one after another: each folds from the totals the previous one committed.
    this.#flushing = this.#flushing
      .then(() => this.#flush(writes))
      .finally(() => {
        this.#inFlight--;
        if (this.#inFlight === 0) this.#flushNow();
      });
  }

  async #flush(writes: Write[]): Promise<void> {
    const groups = new Map<string, SessionGroup>();
    for (const { session, events } of writes) {
      const group = groups.get(session.sessionId) ?? { session, events: [] };
      group.events.push(...events);
      groups.set(session.sessionId, group);
    }
    const results: Results = new Map();
    try {
      await this.#store([...groups.values()], results);
    } catch (error) {
      for (const group of groups.values()) for (const event of group.events) results.set(event.id, { error });
    }
    for (const write of writes) {
      const outcomes = write.events.map((event) => results.get(event.id)!);
      const failed = outcomes.find((outcome) => 'error' in outcome);
      if (failed) write.reject(failed.error);
      else write.resolve(outcomes as EventOutcome[]);
    }
  }

  /** Stores the groups in one statement; when the database blames the rows, narrows down to them. */
  async #store(groups: SessionGroup[], results: Results): Promise<void> {
    let error: unknown;
    try {
      await this.#insert(groups, results);
      return;
    } catch (caught) {
      error = caught;
    }
    if (!blamesRows(error)) {
      for (const group of groups) for (const event of group.events) results.set(event.id, { error });
    } else if (groups.length > 1) {
      for (const group of groups) await this.#store([group], results);
    } else {
      await this.#storeOneByOne(groups[0]!, error, results);
    }
  }

  /** A session's rows one at a time: each folds from the totals the previous one committed. */
  async #storeOneByOne({ session, events }: SessionGroup, error: unknown, results: Results): Promise<void> {
    if (events.length === 1) {
      results.set(events[0]!.id, this.#refused(events[0]!, error));
      return;
    }
    for (const event of events) {
      try {
        await this.#insert([{ session, events: [event] }], results);
      } catch (caught) {
        results.set(event.id, blamesRows(caught) ? this.#refused(event, caught) : { error: caught });
      }
    }
  }

  /** One statement for the groups; the rows of interviews that have ended are left out. */
  async #insert(groups: SessionGroup[], results: Results): Promise<void> {
    const folded = groups.map((group) => ({ group, rows: group.session.fold(group.events) }));
    const interviewIds = [...new Set(groups.map((group) => group.session.interviewId))];
    const open = await this.#eventStore.insert(
      interviewIds,
      folded.flatMap(({ group, rows }) => rows.events.map((event) => ({ event, interviewId: group.session.interviewId }))),
      folded.flatMap(({ rows }) => rows.violations),
    );
    for (const { group, rows } of folded) {
      const stored = open.has(group.session.interviewId);
      if (stored) rows.keep();
      const outcome: EventOutcome = stored ? STORED : { stored: false, code: 'INTERVIEW_ENDED', message: 'the interview has ended' };
      for (const event of group.events) results.set(event.id, outcome);
    }
  }

  #refused(event: QueuedEvent, error: unknown): EventOutcome {
    this.#logger.warn({ err: error, sessionId: event.sessionId, seq: event.seq }, 'the database refused a proctoring event');
    return { stored: false, code: 'BAD_USER_INPUT', message: 'the database refused this event (check its metadata)' };
  }
}

/** The SQLSTATE of a driver error (MikroORM keeps pg's on the exception or its cause). */
function sqlState(error: unknown): string | undefined {
  for (let current = error as { code?: unknown; sqlState?: unknown; cause?: unknown } | undefined; current; current = current.cause as typeof current) {
    for (const value of [current.sqlState, current.code]) if (typeof value === 'string' && /^[0-9A-Z]{5}$/.test(value)) return value;
  }
  return undefined;
}

function blamesRows(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && ROW_ERROR_CLASSES.includes(state.slice(0, 2));
}
