// The candidate side of live monitoring: joining (and resuming) a session, and reporting events.
// Every event is validated, given a server-decided severity, folded into a violation with its
// neighbours of the same type (5 s window), published to hosts at once, and acknowledged only
// after the group commit has made it durable.
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { CandidateActor } from '../auth/actor.ts';
import { Candidate, Session, VIOLATION_TYPES, type InterviewConfig, type ViolationType } from '../db/entities.ts';
import { parseTimestamp } from '../db/timestamps.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import * as validate from '../validate.ts';
import { alertMessage, type LiveAlert } from './events.ts';
import type { EventRow, EventWriter, ViolationRow } from './event-writer.ts';
import type { LiveHub } from './hub.ts';
import { ignoredByConfig, severityOf } from './severity.ts';

export interface DeviceInfo {
  userAgent: string;
  screen: { width: number; height: number; pixelRatio?: number | null | undefined };
  cameras: number;
  microphones: number;
}

export interface ReportedEvent {
  seq: number;
  type: ViolationType;
  occurredAt: Date;
  durationMs?: number | null | undefined;
  confidence?: number | null | undefined;
  metadata?: Record<string, unknown> | null | undefined;
}

export interface RejectedEvent {
  seq: number;
  code: string;
  message: string;
}

export interface ReportResult {
  accepted: number[];
  rejected: RejectedEvent[];
}

export interface JoinedSession {
  session: Session;
  candidate: Candidate;
  resumed: boolean;
}

export const MAX_EVENTS_PER_BATCH = 100;
export const AGGREGATION_WINDOW_MS = 5_000;
export const CLOCK_SKEW_MS = 30_000;
const MAX_METADATA_BYTES = 2048;
const MAX_DURATION_MS = 24 * 3_600_000;

/** What the server keeps in memory about a session it is receiving events for. */
interface SessionState {
  sessionId: string;
  candidateId: string;
  interviewId: string;
  startedAt: Date;
  config: InterviewConfig;
  /** Sequence numbers committed or being committed: a repeat is acknowledged, not stored twice. */
  seen: Set<number>;
  /** The open aggregation window per type. */
  windows: Map<ViolationType, ViolationRow>;
}

export class MonitoringService {
  readonly #orm: MikroORM;
  readonly #writer: EventWriter;
  readonly #hub: LiveHub;
  readonly #sessions = new Map<string, Promise<SessionState>>();

  constructor(orm: MikroORM, writer: EventWriter, hub: LiveHub) {
    this.#orm = orm;
    this.#writer = writer;
    this.#hub = hub;
  }

  /** Starts the candidate's session, or resumes the open one (reconnects are normal). */
  async joinSession(actor: CandidateActor, device: DeviceInfo): Promise<JoinedSession> {
    const deviceInfo = validateDevice(device);
    const em = this.#orm.em.fork();
    const candidate = await em.findOneOrFail(Candidate, actor.candidateId, { populate: ['interview'] });
    let session = await em.findOne(Session, { candidate: actor.candidateId, endTime: null }, { orderBy: { startTime: 'desc' } });
    const resumed = Boolean(session);
    if (session) session.deviceInfo = deviceInfo;
    else session = em.create(Session, { candidate: actor.candidateId, interview: actor.interviewId, deviceInfo });
    await em.flush();
    this.#hub.publish({
      kind: 'CandidateJoined',
      interviewId: actor.interviewId,
      candidateId: actor.candidateId,
      sessionId: session.id,
      name: candidate.name,
      at: new Date(),
      resumed,
    });
    return { session, candidate, resumed };
  }

  async reportEvents(actor: CandidateActor, sessionId: string, events: ReportedEvent[]): Promise<ReportResult> {
    if (events.length > MAX_EVENTS_PER_BATCH) throw new ValidationError('events', `at most ${MAX_EVENTS_PER_BATCH} events per batch`);
    const state = await this.#state(actor, sessionId);
    const receivedAt = new Date();
    const accepted: number[] = [];
    const rejected: RejectedEvent[] = [];
    const rows: EventRow[] = [];
    const touched = new Map<string, ViolationRow>();
    for (const event of events) {
      const problem = checkEvent(event, state, receivedAt);
      if (problem) {
        rejected.push({ seq: event.seq, ...problem });
        continue;
      }
      accepted.push(event.seq);
      if (state.seen.has(event.seq)) continue; // an idempotent retry: acknowledged again, stored once
      state.seen.add(event.seq);
      const violation = this.#aggregate(state, event);
      touched.set(violation.id, violation);
      rows.push({
        id: randomUUID(),
        sessionId,
        seq: event.seq,
        type: event.type,
        occurredAt: event.occurredAt,
        receivedAt,
        durationMs: event.durationMs ?? 0,
        confidence: event.confidence ?? null,
        metadata: event.metadata ?? null,
        violationId: violation.id,
      });
    }
    // Hosts hear about it now (latency); the candidate's ack waits for the commit (durability).
    for (const violation of touched.values()) this.#hub.publish(toAlert(violation));
    try {
      await this.#writer.write(rows, [...touched.values()].map((v) => ({ ...v })));
    } catch (error) {
      // Not stored: forget the seqs so the client's retry is taken as new.
      for (const row of rows) state.seen.delete(row.seq);
      throw error;
    }
    return { accepted, rejected };
  }

  /** Folds an event into the open window of its type, or opens a new violation. */
  #aggregate(state: SessionState, event: ReportedEvent): ViolationRow {
    const at = event.occurredAt;
    const durationMs = event.durationMs ?? 0;
    const open = state.windows.get(event.type);
    if (open && at.getTime() - open.lastAt.getTime() <= AGGREGATION_WINDOW_MS && open.firstAt.getTime() - at.getTime() <= AGGREGATION_WINDOW_MS) {
      open.count += 1;
      open.durationMs += durationMs;
      if (at > open.lastAt) open.lastAt = at;
      if (at < open.firstAt) open.firstAt = at;
      open.severity = severityOf(event.type, open.durationMs, state.config);
      return open;
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
    };
    state.windows.set(event.type, violation);
    return violation;
  }

  /** The session's state, loaded once per process (and after a restart, from the database). */
  #state(actor: CandidateActor, sessionId: string): Promise<SessionState> {
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
    const connection = this.#orm.em.getConnection();
    const [session] = await connection.execute<{ candidate_id: string; interview_id: string; start_time: string; config: InterviewConfig }[]>(
      `select s.candidate_id, s.interview_id, s.start_time, i.config
         from sessions s join interviews i on i.id = s.interview_id where s.id = ?`,
      [sessionId],
    );
    if (!session) throw new NotFoundError('Session', sessionId);
    const seqs = await connection.execute<{ seq: number }[]>('select seq from events where session_id = ?', [sessionId]);
    return {
      sessionId,
      candidateId: session.candidate_id,
      interviewId: session.interview_id,
      startedAt: parseTimestamp(session.start_time),
      config: session.config,
      seen: new Set(seqs.map((row) => row.seq)),
      windows: new Map(),
    };
  }
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
  if (event.metadata != null && Buffer.byteLength(JSON.stringify(event.metadata)) > MAX_METADATA_BYTES) {
    return { code: 'BAD_USER_INPUT', message: `metadata must be at most ${MAX_METADATA_BYTES} bytes of JSON` };
  }
  const ignored = ignoredByConfig(event.type, state.config);
  if (ignored) return { code: 'NOT_MONITORED', message: ignored };
  return undefined;
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
