// The candidate side of live monitoring: joining (and resuming) a session, and reporting events.
// Every event is validated, given a server-decided severity, folded into a violation with its
// neighbours of the same type (5 s window) by the group commit, published to hosts once it is
// durable, and acknowledged then. Once the interview has ended nothing more is accepted. Events the
// candidate's accommodations cover are stored as evidence in violations of their own, marked
// accommodated, and published to nobody.
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { CandidateActor } from '../auth/actor.ts';
import { ENDED_INTERVIEW_STATUSES, InterviewStatus, VIOLATION_TYPES, type InterviewConfig, type ViolationType } from '../db/entities.ts';
import { SERVER_DETECTED_TYPES } from '../../contract/violations.ts';
import { InterviewEndedError, NotFoundError, ValidationError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { TokenBucket } from '../rate-limit.ts';
import * as validate from '../validate.ts';
import type { Channel } from './channel.ts';
import { alertMessage } from '../../contract/violations.ts';
import type { InterviewEvent, LiveAlert } from './events.ts';
import type { EventRow, ViolationRow } from './event-store.ts';
import type { EventOutcome, EventWriter, FoldedRows, QueuedEvent, SessionAggregation } from './event-writer.ts';
import { SessionStore, type JoinedSession } from './session-store.ts';
import { coveredByAccommodations, ignoredByConfig, severityOf } from './severity.ts';
import type { Accommodations } from '../../contract/accommodations.ts';
import type { AccommodationsChanged } from '../services/candidates.ts';

export interface DeviceInfo {
  userAgent: string;
  screen: { width: number; height: number; pixelRatio?: number | null | undefined };
  cameras: number;
  microphones: number;
}

export interface Telemetry {
  visible: boolean;
  focused: boolean;
  fullscreen: boolean;
  faceCount?: number | null | undefined;
  fps?: number | null | undefined;
  rttMs?: number | null | undefined;
}

export interface ReportedEvent {
  seq: number;
  type: ViolationType;
  occurredAt: Date;
  durationMs?: number | null | undefined;
  confidence?: number | null | undefined;
  metadata?: Record<string, unknown> | null | undefined;
}

/** An event the server itself detected: it has no client sequence number. */
interface ServerEvent {
  seq: null;
  type: ViolationType;
  occurredAt: Date;
  durationMs: number;
  confidence?: null;
  metadata: Record<string, unknown>;
}

export interface RejectedEvent {
  seq: number;
  code: string;
  message: string;
}

export interface ReportResult {
  /** Each seq of the batch that is stored, once. */
  accepted: number[];
  /** Seqs acknowledged without a new row: stored by an earlier batch, or repeated in this one. */
  duplicates: number[];
  rejected: RejectedEvent[];
}

export const MAX_EVENTS_PER_BATCH = 100;
export const AGGREGATION_WINDOW_MS = 5_000;
export const CLOCK_SKEW_MS = 30_000;
/** Per session: events/s sustained, and the burst allowed on top (a reconnect flushes a queue). */
export const EVENT_RATE = { perSecond: 50, burst: 200 };
export const MAX_METADATA_BYTES = 2048;
export const MAX_METADATA_DEPTH = 8;
const MAX_DURATION_MS = 24 * 3_600_000;
/** Heartbeats persist to the session row at most this often; the watchdog works from memory. */
const HEARTBEAT_PERSIST_INTERVAL_MS = 10_000;

export interface MonitoringOptions {
  /** Silence after which a LIVE interview's candidate gets HEARTBEAT_LOST. */
  heartbeatTimeoutMs: number;
  /** How often the watchdog looks. */
  watchdogIntervalMs: number;
}

/** What the server keeps in memory about a session it is receiving events for. */
interface SessionState {
  sessionId: string;
  candidateId: string;
  interviewId: string;
  startedAt: Date;
  config: InterviewConfig;
  /** The candidate's, as last set (a change reaches every process through the accommodations channel). */
  accommodations: Accommodations;
  /** The interview is COMPLETED or ARCHIVED: the candidate's mutations are refused. */
  ended: boolean;
  /** Stops watching the interview's status (when the state is forgotten). */
  unlisten: () => void;
  /**
   * Sequence numbers stored or being stored, each with its commit: a repeat is acknowledged
   * once that commit is done, never before, and never stored twice.
   */
  seen: Map<number, Promise<void>>;
  /** The open aggregation window per type (and apart, per accommodated type), as committed. */
  windows: Map<string, ViolationRow>;
  /** How the group commit folds this session's events into `windows`. */
  aggregation: SessionAggregation;
  rate: TokenBucket;
  /** Last sign of life (join, heartbeat, events) and whether HEARTBEAT_LOST was raised since. */
  lastSeenAt: number;
  heartbeatLost: boolean;
  heartbeatPersistedAt: number;
}

const COMMITTED = Promise.resolve();

export class MonitoringService {
  readonly #store: SessionStore;
  readonly #writer: EventWriter;
  readonly #interviewEvents: Channel<InterviewEvent>;
  readonly #logger: Logger;
  readonly #metrics: Metrics;
  readonly #options: MonitoringOptions;
  readonly #sessions = new Map<string, Promise<SessionState>>();
  /** Open sockets per candidate: "left" is published when the last one closes. */
  readonly #connections = new Map<string, number>();
  readonly #watchdog: NodeJS.Timeout;
  readonly #unlistenAccommodations: () => void;

  constructor(
    orm: MikroORM,
    writer: EventWriter,
    interviewEvents: Channel<InterviewEvent>,
    accommodationChanges: Channel<AccommodationsChanged>,
    logger: Logger,
    metrics: Metrics,
    options: MonitoringOptions,
  ) {
    this.#store = new SessionStore(orm);
    this.#writer = writer;
    this.#interviewEvents = interviewEvents;
    this.#logger = logger;
    this.#metrics = metrics;
    this.#options = options;
    this.#watchdog = setInterval(() => void this.#checkHeartbeats(), options.watchdogIntervalMs).unref();
    this.#unlistenAccommodations = accommodationChanges.listenToAll((_candidateId, change) => void this.#applyAccommodations(change));
  }

  close(): void {
    clearInterval(this.#watchdog);
    this.#unlistenAccommodations();
    for (const sessionId of [...this.#sessions.keys()]) this.#forget(sessionId);
  }

  /** Starts the candidate's session, or resumes the open one (reconnects are normal). */
  async joinSession(actor: CandidateActor, device: DeviceInfo): Promise<JoinedSession> {
    const joined = await this.#store.openOrResume(actor.candidateId, actor.interviewId, validateDevice(device));
    if (!joined) throw new InterviewEndedError(actor.interviewId);
    const { session, candidate, resumed } = joined;
    const state = await this.#state(actor, session.id);
    state.lastSeenAt = Date.now();
    state.heartbeatLost = false;
    this.#interviewEvents.publish(actor.interviewId, {
      kind: 'CandidateJoined',
      interviewId: actor.interviewId,
      candidateId: actor.candidateId,
      sessionId: session.id,
      name: candidate.name,
      at: new Date(),
      resumed,
    });
    return joined;
  }

  async reportEvents(actor: CandidateActor, sessionId: string, events: ReportedEvent[]): Promise<ReportResult> {
    if (events.length > MAX_EVENTS_PER_BATCH) throw new ValidationError('events', `at most ${MAX_EVENTS_PER_BATCH} events per batch`);
    const state = await this.#state(actor, sessionId);
    if (state.ended) throw new InterviewEndedError(state.interviewId);
    const now = new Date();
    state.lastSeenAt = now.getTime();
    const accepted: number[] = [];
    const duplicates: number[] = [];
    const rejected: RejectedEvent[] = [];
    const fresh: ReportedEvent[] = [];
    const retriedCommits: Promise<void>[] = [];
    /** Whether each seq of this batch was accepted: a repeat goes with its first occurrence. */
    const judged = new Map<number, boolean>();
    for (const event of events) {
      const acceptedInBatch = judged.get(event.seq);
      if (acceptedInBatch) duplicates.push(event.seq);
      if (acceptedInBatch !== undefined) continue;
      // A seq already stored is acknowledged again, however late the retry: its event was
      // judged when it first came (and re-judging it by the clock would refuse a stored event).
      const earlier = state.seen.get(event.seq);
      if (earlier) {
        retriedCommits.push(earlier);
        accepted.push(event.seq);
        duplicates.push(event.seq);
        judged.set(event.seq, true);
        continue;
      }
      const problem =
        checkEvent(event, state, now) ??
        (state.rate.take(now.getTime()) ? undefined : { code: 'RATE_LIMITED', message: `more than ${EVENT_RATE.perSecond} events/s (burst ${EVENT_RATE.burst}); retry later` });
      judged.set(event.seq, !problem);
      if (problem) {
        rejected.push({ seq: event.seq, ...problem });
        continue;
      }
      fresh.push(event);
      accepted.push(event.seq);
    }
    const recorded = this.#record(state, fresh, now);
    fresh.forEach((event, i) => {
      const stored = recorded.then((outcomes) => throwUnlessStored(outcomes[i]!, state));
      state.seen.set(event.seq, stored);
      // Not stored: forget the seq so the client's retry is taken as new.
      stored.catch(() => {
        if (state.seen.get(event.seq) === stored) state.seen.delete(event.seq);
      });
    });
    const outcomes = await recorded;
    if (outcomes.some((outcome) => !outcome.stored && outcome.code === 'INTERVIEW_ENDED')) {
      state.ended = true;
      throw new InterviewEndedError(state.interviewId);
    }
    fresh.forEach((event, i) => {
      const outcome = outcomes[i]!;
      if (outcome.stored) return;
      accepted.splice(accepted.indexOf(event.seq), 1);
      rejected.push({ seq: event.seq, code: outcome.code, message: outcome.message });
    });
    for (const { code } of rejected) this.#metrics.eventsRejected.inc({ code });
    await Promise.all(retriedCommits);
    return { accepted, duplicates, rejected };
  }

  /** A sign of life with the page's state; keeps HEARTBEAT_LOST away. */
  async heartbeat(actor: CandidateActor, sessionId: string, telemetry: Telemetry): Promise<Date> {
    const checked = validateTelemetry(telemetry);
    const state = await this.#state(actor, sessionId);
    if (state.ended) throw new InterviewEndedError(state.interviewId);
    const now = Date.now();
    state.lastSeenAt = now;
    state.heartbeatLost = false;
    if (now - state.heartbeatPersistedAt >= HEARTBEAT_PERSIST_INTERVAL_MS) {
      state.heartbeatPersistedAt = now;
      if (!(await this.#store.recordHeartbeat(sessionId, state.interviewId, new Date(now), checked))) {
        state.ended = true;
        throw new InterviewEndedError(state.interviewId);
      }
    }
    return new Date(now);
  }

  /** A candidate's socket opened (the transport tells us; the session is joined separately). */
  connected(actor: CandidateActor): void {
    this.#connections.set(actor.candidateId, (this.#connections.get(actor.candidateId) ?? 0) + 1);
  }

  /** A candidate's socket closed: when it was the last one, hosts hear the candidate left. */
  async disconnected(actor: CandidateActor): Promise<void> {
    const remaining = (this.#connections.get(actor.candidateId) ?? 1) - 1;
    if (remaining > 0) {
      this.#connections.set(actor.candidateId, remaining);
      return;
    }
    this.#connections.delete(actor.candidateId);
    for (const pending of this.#sessions.values()) {
      const state = await pending.catch(() => undefined);
      if (state?.candidateId !== actor.candidateId) continue;
      this.#interviewEvents.publish(state.interviewId, {
        kind: 'CandidateLeft',
        interviewId: state.interviewId,
        candidateId: state.candidateId,
        sessionId: state.sessionId,
        at: new Date(),
      });
    }
  }

  /** The candidate's interview status as it changes (the page shows its end screen on COMPLETED). */
  listenForStatus(actor: CandidateActor, listener: (status: InterviewStatus) => void): () => void {
    return this.#interviewEvents.listen(actor.interviewId, (event) => {
      if (event.kind === 'InterviewStatusChanged') listener(event.status);
    });
  }

  /** Queues events for the group commit, which folds them into violations and stores them. */
  #record(state: SessionState, events: ReportedEvent[] | ServerEvent[], receivedAt: Date): Promise<EventOutcome[]> {
    const queued: QueuedEvent[] = events.map((event) => ({
      id: randomUUID(),
      sessionId: state.sessionId,
      seq: event.seq,
      type: event.type,
      occurredAt: event.occurredAt,
      receivedAt,
      durationMs: event.durationMs ?? 0,
      confidence: event.confidence ?? null,
      metadata: event.metadata ?? null,
    }));
    return this.#writer.write(state.aggregation, queued);
  }

  /**
   * Folds events into the open windows of their types (or new violations), on copies: the
   * session's windows change, and hosts hear of it, once the rows are committed.
   */
  #fold(state: SessionState, events: QueuedEvent[]): FoldedRows {
    const windows = new Map(state.windows);
    const touched = new Map<string, ViolationRow>();
    const rows: EventRow[] = events.map((event) => {
      const violation = this.#aggregate(state, windows, touched, event);
      return { ...event, violationId: violation.id };
    });
    return {
      events: rows,
      violations: [...touched.values()],
      keep: () => {
        state.windows = windows;
        for (const violation of touched.values()) {
          if (violation.accommodated) continue;
          this.#interviewEvents.publish(violation.interviewId, toAlert(violation));
          this.#metrics.alertsPublished.inc({ severity: violation.severity });
        }
        for (const row of rows) this.#metrics.eventsIngested.inc({ type: row.type, origin: row.seq === null ? 'server' : 'client' });
      },
    };
  }

  /**
   * A violation another part of the server detected (MEDIA_LOST, SCREEN_SHARE_STOPPED from the
   * SFU), recorded on the candidate's latest session like any other. False when it is not stored
   * (the candidate never joined a session, the interview has ended, or its config does not
   * monitor that type).
   */
  async recordServerEvent(candidateId: string, type: ViolationType, durationMs: number, metadata: Record<string, unknown>): Promise<boolean> {
    const sessionId = await this.#store.latestOf(candidateId);
    if (!sessionId) return false;
    const state = await this.#state({ candidateId }, sessionId);
    if (state.ended || ignoredByConfig(type, state.config)) return false;
    const now = new Date();
    const [outcome] = await this.#record(state, [{ seq: null, type, occurredAt: now, durationMs, metadata }], now);
    if (!outcome!.stored) state.ended ||= outcome!.code === 'INTERVIEW_ENDED';
    return outcome!.stored;
  }

  /** Server-side detection the client cannot suppress: silence during a LIVE interview. */
  async #checkHeartbeats(): Promise<void> {
    const now = Date.now();
    for (const [sessionId, pending] of this.#sessions) {
      const state = await pending.catch(() => undefined);
      if (!state || state.heartbeatLost || now - state.lastSeenAt < this.#options.heartbeatTimeoutMs) continue;
      // Claimed before the first await: the next tick comes while a slow database still answers
      // this one, and must not raise the same silence again.
      state.heartbeatLost = true;
      try {
        const status = state.ended ? undefined : await this.#store.interviewStatus(state.interviewId);
        if (state.ended || !status || ENDED_INTERVIEW_STATUSES.includes(status)) {
          // Over and silent: nothing left to watch. Forgetting it stops this query every tick
          // and bounds memory; a late event reloads the state from the database.
          this.#forget(sessionId);
          continue;
        }
        if (status !== InterviewStatus.LIVE) {
          state.heartbeatLost = false;
          continue;
        }
        const silentMs = now - state.lastSeenAt;
        await this.#record(state, [{ seq: null, type: 'HEARTBEAT_LOST', occurredAt: new Date(now), durationMs: silentMs, metadata: { silentMs } }], new Date(now));
      } catch (error) {
        state.heartbeatLost = false;
        this.#logger.error({ err: error, sessionId: state.sessionId }, 'heartbeat watchdog failed');
      }
    }
  }

  /**
   * Folds an event into the open window of its type, or opens a new violation: in `windows` and
   * `touched`, copying a committed violation before changing it.
   */
  #aggregate(state: SessionState, windows: Map<string, ViolationRow>, touched: Map<string, ViolationRow>, event: QueuedEvent): ViolationRow {
    const at = event.occurredAt;
    const durationMs = event.durationMs;
    const accommodated = coveredByAccommodations(event.type, event.metadata, state.accommodations);
    const key = accommodated ? `${event.type} accommodated` : event.type;
    const open = windows.get(key);
    if (open && at.getTime() - open.lastAt.getTime() <= AGGREGATION_WINDOW_MS && open.firstAt.getTime() - at.getTime() <= AGGREGATION_WINDOW_MS) {
      const violation = touched.get(open.id) ?? { ...open };
      violation.count += 1;
      violation.durationMs += durationMs;
      if (at > violation.lastAt) violation.lastAt = at;
      if (at < violation.firstAt) violation.firstAt = at;
      violation.severity = severityOf(event.type, violation.durationMs, state.config);
      windows.set(key, violation);
      touched.set(violation.id, violation);
      return violation;
    }
    const violation: ViolationRow = {
      id: randomUUID(),
      sessionId: state.sessionId,
      candidateId: state.candidateId,
      interviewId: state.interviewId,
      type: event.type,
      severity: severityOf(event.type, durationMs, state.config),
      firstAt: at,
      lastAt: at,
      count: 1,
      durationMs,
      accommodated,
    };
    windows.set(key, violation);
    touched.set(violation.id, violation);
    return violation;
  }

  /** The session's state, loaded once per process (and after a restart, from the database). */
  #state(actor: Pick<CandidateActor, 'candidateId'>, sessionId: string): Promise<SessionState> {
    let state = this.#sessions.get(sessionId);
    if (!state) {
      state = this.#load(sessionId);
      this.#sessions.set(sessionId, state);
      state.catch(() => this.#sessions.delete(sessionId));
    }
    return state.then((loaded) => {
      if (loaded.candidateId !== actor.candidateId) throw new NotFoundError('Session', sessionId);
      return loaded;
    });
  }

  async #load(sessionId: string): Promise<SessionState> {
    if (!validate.isUuid(sessionId)) throw new NotFoundError('Session', sessionId);
    const session = await this.#store.load(sessionId);
    if (!session) throw new NotFoundError('Session', sessionId);
    const { interviewId } = session;
    const state: SessionState = {
      sessionId,
      candidateId: session.candidateId,
      interviewId,
      startedAt: session.startedAt,
      config: session.config,
      accommodations: session.accommodations,
      ended: ENDED_INTERVIEW_STATUSES.includes(session.status),
      // The end of the interview, in this process or (relayed) another one.
      unlisten: this.#interviewEvents.listen(interviewId, (event) => {
        if (event.kind === 'InterviewStatusChanged' && ENDED_INTERVIEW_STATUSES.includes(event.status)) state.ended = true;
      }),
      seen: new Map(session.storedSeqs.map((seq) => [seq, COMMITTED])),
      windows: new Map(),
      aggregation: { sessionId, interviewId, fold: (events) => this.#fold(state, events) },
      rate: new TokenBucket(EVENT_RATE.perSecond, EVENT_RATE.burst),
      lastSeenAt: Date.now(),
      heartbeatLost: false,
      heartbeatPersistedAt: 0,
    };
    return state;
  }

  /** The candidate's accommodations changed: their sessions here judge the next events by them. */
  async #applyAccommodations({ candidateId, accommodations }: AccommodationsChanged): Promise<void> {
    for (const pending of this.#sessions.values()) {
      const state = await pending.catch(() => undefined);
      if (state?.candidateId === candidateId) state.accommodations = accommodations;
    }
  }

  /** Drops a session's state (it is loaded again from the database if the session comes back). */
  #forget(sessionId: string): void {
    const pending = this.#sessions.get(sessionId);
    this.#sessions.delete(sessionId);
    void pending?.then((state) => state.unlisten()).catch(() => {});
  }
}

/** Resolves when the event was stored; otherwise rejects with why (a retry of it waits on this). */
function throwUnlessStored(outcome: EventOutcome, state: SessionState): void {
  if (outcome.stored) return;
  if (outcome.code === 'INTERVIEW_ENDED') throw new InterviewEndedError(state.interviewId);
  throw new ValidationError('events', outcome.message);
}

function toAlert(v: ViolationRow): LiveAlert {
  return {
    kind: 'LiveAlert',
    interviewId: v.interviewId,
    violationId: v.id,
    candidateId: v.candidateId,
    type: v.type,
    severity: v.severity,
    message: alertMessage(v.type, v.count),
    occurredAt: v.firstAt,
    count: v.count,
    durationMs: v.durationMs,
  };
}

/** Why an event is refused, or undefined when it is fine. */
function checkEvent(event: ReportedEvent, state: SessionState, now: Date): { code: string; message: string } | undefined {
  if (!Number.isInteger(event.seq) || event.seq < 0) return { code: 'BAD_USER_INPUT', message: 'seq must be a whole number >= 0' };
  if (!(VIOLATION_TYPES as readonly string[]).includes(event.type)) return { code: 'BAD_USER_INPUT', message: `unknown type ${event.type}` };
  if (SERVER_DETECTED_TYPES.includes(event.type)) return { code: 'BAD_USER_INPUT', message: `${event.type} is detected by the server, not reported by the page` };
  const at = event.occurredAt.getTime();
  if (Number.isNaN(at)) return { code: 'BAD_USER_INPUT', message: 'occurredAt is not a valid date' };
  if (Math.abs(at - now.getTime()) > CLOCK_SKEW_MS) {
    return { code: 'STALE_EVENT', message: `occurredAt is more than ${CLOCK_SKEW_MS / 1000} s from the server clock` };
  }
  if (at < state.startedAt.getTime()) return { code: 'STALE_EVENT', message: 'occurredAt is before the session started' };
  const duration = event.durationMs ?? 0;
  if (!Number.isInteger(duration) || duration < 0 || duration > MAX_DURATION_MS) {
    return { code: 'BAD_USER_INPUT', message: 'durationMs must be a whole number of milliseconds, at most 24 h' };
  }
  if (event.confidence != null && !(event.confidence >= 0 && event.confidence <= 1)) {
    return { code: 'BAD_USER_INPUT', message: 'confidence must be between 0 and 1' };
  }
  if (event.metadata != null) {
    try {
      validate.storableJson('metadata', event.metadata, { maxBytes: MAX_METADATA_BYTES, maxDepth: MAX_METADATA_DEPTH });
    } catch (error) {
      if (error instanceof ValidationError) return { code: 'BAD_USER_INPUT', message: error.message };
      throw error;
    }
  }
  const ignored = ignoredByConfig(event.type, state.config);
  if (ignored) return { code: 'NOT_MONITORED', message: ignored };
  return undefined;
}

function validateTelemetry(telemetry: Telemetry): Record<string, unknown> {
  const optional = (field: string, value: number | null | undefined, max: number) => (value == null ? null : validate.numberInRange(`telemetry.${field}`, value, 0, max));
  return {
    visible: telemetry.visible,
    focused: telemetry.focused,
    fullscreen: telemetry.fullscreen,
    faceCount: optional('faceCount', telemetry.faceCount, 32),
    fps: optional('fps', telemetry.fps, 240),
    rttMs: optional('rttMs', telemetry.rttMs, 60_000),
  };
}

function validateDevice(device: DeviceInfo): Record<string, unknown> {
  return {
    userAgent: validate.text('device.userAgent', device.userAgent, { max: 512 }),
    screen: {
      width: validate.integerInRange('device.screen.width', device.screen.width, 1, 100_000),
      height: validate.integerInRange('device.screen.height', device.screen.height, 1, 100_000),
      pixelRatio: device.screen.pixelRatio ?? null,
    },
    cameras: validate.integerInRange('device.cameras', device.cameras, 0, 64),
    microphones: validate.integerInRange('device.microphones', device.microphones, 0, 64),
  };
}
