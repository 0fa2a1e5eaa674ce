// Simulated candidates and watching hosts for the live bench, on real graphql-ws sockets against
// a running server. Candidates are invited over HTTP the way an ATS does, then each gets its own
// socket (authenticated with its join token), joins, and reports events on a schedule; hosts
// subscribe to interviewEvents and time each LiveAlert against the batch that caused it.
//
// How an alert is matched to its batch (the LiveAlert carries violationId and count, not our
// seq): every batch carries events of ONE type, and a candidate rotates through the ten types
// the default config monitors, one per batch. The server publishes one LiveAlert per batch (per
// violation touched), so the alert for (candidate, type) belongs to that candidate's latest batch
// of that type. A type comes round again only after ten batches (5 s at one batch per 500 ms):
// an alert that late would be a failure at any rate the bench reports as passing, and its batch
// is then counted as never alerted (Infinity) rather than matched to the wrong one. Alert
// latency is thus emit (just before the bench writes the batch to the candidate's socket) →
// receive (the host socket's message handler), both on this process's monotonic clock.
import { GraphQLClient, signUp } from '../../test/support/graphql.ts';
import { GraphQLWsSocket } from './graphql-ws-client.ts';
import { summarizeLatencies, type LatencySummary } from './latency.ts';
import { asLimit, CALL_TIMEOUT_MS, Limit, naming, seconds, type LimitKind } from './limits.ts';
import { roundRobin } from './schedule.ts';

/** Types the default interview config monitors (FULLSCREEN_EXIT is refused unless required). */
export const EVENT_TYPES = [
  'TAB_SWITCH',
  'WINDOW_BLUR',
  'FACE_MISSING',
  'LOOKING_AWAY',
  'RESIZE_ATTEMPT',
  'CONTEXT_MENU',
  'DEVTOOLS_OPEN',
  'MULTIPLE_FACES',
  'COPY_PASTE',
  'AUDIO_DETECTED',
] as const;

/** A candidate page batches what it saw every 500 ms. */
export const BATCH_PERIOD_MS = 500;
export const HEARTBEAT_PERIOD_MS = 2_000;
/**
 * Per session the server allows 50 events/s sustained (burst 200). The bench stays at 80 % of
 * that so timer jitter never trips the limit: more load means more candidates, not faster ones.
 */
export const MAX_EVENTS_PER_SESSION_PER_SECOND = 40;

/**
 * Candidates invited and joined at once during set-up: enough to fill the pipeline, few enough
 * that set-up (token hashing, session rows, CandidateJoined fan-out) does not itself overload a
 * 2-core server and fail before any load was offered.
 */
const SETUP_CONCURRENCY = 8;
/** How often set-up reports how far it got. */
const SETUP_PROGRESS_MS = 5_000;
const SETTLE_POLL_MS = 20;

const DEVICE = { userAgent: 'Mozilla/5.0 (proctor live bench)', screen: { width: 1920, height: 1080 }, cameras: 1, microphones: 1 };
const TELEMETRY = { visible: true, focused: true, fullscreen: true, faceCount: 1, fps: 15 };
const JOIN = 'mutation($device: DeviceInput!) { joinSession(device: $device) { id } }';
const REPORT = 'mutation($sessionId: ID!, $events: [EventInput!]!) { reportEvents(sessionId: $sessionId, events: $events) { accepted rejected { seq code } } }';
const HEARTBEAT = 'mutation($sessionId: ID!, $telemetry: TelemetryInput!) { heartbeat(sessionId: $sessionId, telemetry: $telemetry) { serverTime } }';
// What a dashboard shows of an alert, so the server serialises a realistic payload.
const INTERVIEW_EVENTS = `subscription($id: ID!) { interviewEvents(interviewId: $id) {
  __typename
  ... on CandidateJoined { candidateId }
  ... on LiveAlert { violationId candidateId type severity message count durationMs occurredAt }
} }`;
const CREATE_INTERVIEW = 'mutation { createInterview(input: { title: "Live bench" }) { interview { id } } }';
const START_INTERVIEW = 'mutation($id: ID!) { startInterview(id: $id) { status } }';
const INVITE = 'mutation($id: ID!, $name: String!, $email: String!) { inviteCandidate(interviewId: $id, name: $name, email: $email) { token candidate { id } } }';

interface ReportAnswer {
  reportEvents: { accepted: number[]; rejected: { seq: number; code: string }[] };
}

interface InterviewEventData {
  interviewEvents: { __typename: string; candidateId?: string; type?: string };
}

/** One reportEvents call: sent, answered (ack) and alerted (a host received its LiveAlert). */
interface Batch {
  sentAt: number;
  ackedAt: number | undefined;
  alertAt: number | undefined;
  /** Events the ack accepted; undefined until answered. */
  accepted: number | undefined;
  failed: boolean;
}

export interface PhaseSummary {
  name: string;
  offeredEventsPerSecond: number;
  durationMs: number;
  batches: number;
  sentEvents: number;
  acknowledgedEvents: number;
  /** Rejected events by code (RATE_LIMITED would mean the bench's shape is wrong). */
  rejected: Record<string, number>;
  /** Failed reportEvents calls by message. */
  failures: Record<string, number>;
  /** The same failures by kind (connect failure: the socket closed; server error: an error answer). */
  failureKinds: Partial<Record<LimitKind, number>>;
  /** Batches still unanswered when the phase was summarised. */
  unanswered: number;
  /** Emit → host receive; batches whose alert never came count as Infinity. */
  alert: LatencySummary;
  /** Send → ack (committed); unanswered or failed batches count as Infinity. */
  ack: LatencySummary;
}

/** A stretch of load at one offered rate (warm-up, the main run, a ramp step). */
export class Phase {
  readonly name: string;
  readonly offeredEventsPerSecond: number;
  readonly durationMs: number;
  readonly batches: Batch[] = [];
  sentEvents = 0;
  acknowledgedEvents = 0;
  readonly rejected: Record<string, number> = {};
  readonly failures: Record<string, number> = {};
  readonly failureKinds: Partial<Record<LimitKind, number>> = {};

  constructor(name: string, offeredEventsPerSecond: number, durationMs: number) {
    this.name = name;
    this.offeredEventsPerSecond = offeredEventsPerSecond;
    this.durationMs = durationMs;
  }

  /** Answered (or failed) and, unless every event was refused, alerted. */
  get settled(): boolean {
    return this.batches.every((batch) => (batch.ackedAt !== undefined || batch.failed) && (batch.alertAt !== undefined || !expectsAlert(batch)));
  }

  summary(): PhaseSummary {
    return {
      name: this.name,
      offeredEventsPerSecond: this.offeredEventsPerSecond,
      durationMs: this.durationMs,
      batches: this.batches.length,
      sentEvents: this.sentEvents,
      acknowledgedEvents: this.acknowledgedEvents,
      rejected: this.rejected,
      failures: this.failures,
      failureKinds: this.failureKinds,
      unanswered: this.batches.filter((batch) => batch.ackedAt === undefined && !batch.failed).length,
      alert: summarizeLatencies(this.batches.filter(expectsAlert).map((batch) => (batch.alertAt ?? Infinity) - batch.sentAt)),
      ack: summarizeLatencies(this.batches.map((batch) => (batch.ackedAt ?? Infinity) - batch.sentAt)),
    };
  }
}

/** An alert is due unless the ack says every event of the batch was refused (or the call failed). */
function expectsAlert(batch: Batch): boolean {
  return !batch.failed && batch.accepted !== 0;
}

export interface HeartbeatStats {
  sent: number;
  ok: number;
  failures: Record<string, number>;
}

/** What arrived at hosts that no batch explains: all should stay 0. */
export interface StrayAlerts {
  /** The server raised HEARTBEAT_LOST: a candidate looked silent for 10 s. */
  heartbeatLost: number;
  /** A second alert for a batch already alerted, or one for a candidate/type with no batch. */
  unmatched: number;
}

interface Invitation {
  candidateId: string;
  token: string;
  interview: InterviewFixture;
}

interface InterviewFixture {
  id: string;
  host: GraphQLClient;
  watcher: HostWatcher;
}

class SimulatedCandidate {
  readonly candidateId: string;
  readonly sessionId: string;
  /** Every seq the server acknowledged (committed), for the persisted/lost check. */
  readonly acknowledged: number[] = [];
  readonly #socket: GraphQLWsSocket;
  readonly #typeOffset: number;
  /** The latest batch of each type, waiting for its alert (see the matching note at the top). */
  readonly #awaitingAlert = new Map<string, Batch>();
  #nextSeq = 0;
  #batchNumber = 0;
  /** Fractional events carried to the next batch, so any rate splits evenly over candidates. */
  #carry = 0;

  private constructor(candidateId: string, sessionId: string, socket: GraphQLWsSocket, typeOffset: number) {
    this.candidateId = candidateId;
    this.sessionId = sessionId;
    this.#socket = socket;
    this.#typeOffset = typeOffset;
  }

  static async join(wsUrl: string, invitation: Invitation, index: number, onLost: (reason: string) => void): Promise<SimulatedCandidate> {
    const socket = await GraphQLWsSocket.open(wsUrl, `Bearer ${invitation.token}`);
    socket.onUnexpectedClose = onLost;
    try {
      const joined = await socket.request<{ joinSession: { id: string } }>(JOIN, { device: DEVICE }, CALL_TIMEOUT_MS);
      // Neighbouring candidates start on different types, so every type is in use at any moment.
      return new SimulatedCandidate(invitation.candidateId, joined.data.joinSession.id, socket, index % EVENT_TYPES.length);
    } catch (error) {
      await socket.close();
      throw error;
    }
  }

  /** Sends this period's batch: `eventsPerBatch` on average, all of one type. */
  report(eventsPerBatch: number, phase: Phase): void {
    this.#carry += eventsPerBatch;
    const count = Math.floor(this.#carry);
    if (count === 0) return;
    this.#carry -= count;
    const type = EVENT_TYPES[(this.#typeOffset + this.#batchNumber++) % EVENT_TYPES.length]!;
    const occurredAt = new Date().toISOString();
    const events = Array.from({ length: count }, () => ({ seq: this.#nextSeq++, type, occurredAt, durationMs: 100 }));
    const batch: Batch = { sentAt: performance.now(), ackedAt: undefined, alertAt: undefined, accepted: undefined, failed: false };
    phase.batches.push(batch);
    phase.sentEvents += count;
    this.#awaitingAlert.set(type, batch);
    this.#socket.request<ReportAnswer>(REPORT, { sessionId: this.sessionId, events }).then(
      ({ data, receivedAt }) => {
        const { accepted, rejected } = data.reportEvents;
        batch.ackedAt = receivedAt;
        batch.accepted = accepted.length;
        phase.acknowledgedEvents += accepted.length;
        for (const seq of accepted) this.acknowledged.push(seq);
        for (const { code } of rejected) phase.rejected[code] = (phase.rejected[code] ?? 0) + 1;
      },
      (error: Error) => {
        batch.failed = true;
        phase.failures[error.message] = (phase.failures[error.message] ?? 0) + 1;
        const kind = asLimit(error)?.kind ?? 'server error';
        phase.failureKinds[kind] = (phase.failureKinds[kind] ?? 0) + 1;
      },
    );
  }

  heartbeat(stats: HeartbeatStats): void {
    stats.sent++;
    this.#socket.request(HEARTBEAT, { sessionId: this.sessionId, telemetry: TELEMETRY }).then(
      () => void stats.ok++,
      (error: Error) => void (stats.failures[error.message] = (stats.failures[error.message] ?? 0) + 1),
    );
  }

  /** A host received a LiveAlert of `type` for this candidate: false when no batch explains it. */
  alerted(type: string, receivedAt: number): boolean {
    const batch = this.#awaitingAlert.get(type);
    if (!batch || batch.alertAt !== undefined) return false;
    batch.alertAt = receivedAt;
    return true;
  }

  close(): Promise<void> {
    return this.#socket.close();
  }
}

/** One host's dashboard: a socket with the interviewEvents subscription of one interview. */
class HostWatcher {
  /** Candidates whose CandidateJoined arrived: proof the subscription is live before the load. */
  readonly joined = new Set<string>();
  readonly #socket: GraphQLWsSocket;
  /** Set by close(): the subscription ending then is ours, not a lost socket. */
  #closing = false;

  private constructor(socket: GraphQLWsSocket) {
    this.#socket = socket;
  }

  static async watch(
    wsUrl: string,
    token: string,
    interviewId: string,
    onAlert: (candidateId: string, type: string, receivedAt: number) => void,
    onLost: (reason: string) => void,
  ): Promise<HostWatcher> {
    const socket = await GraphQLWsSocket.open(wsUrl, `Bearer ${token}`);
    socket.onUnexpectedClose = onLost;
    const watcher = new HostWatcher(socket);
    socket.subscribe<InterviewEventData>(
      INTERVIEW_EVENTS,
      { id: interviewId },
      ({ interviewEvents: event }, receivedAt) => {
        if (event.__typename === 'LiveAlert') onAlert(event.candidateId!, event.type!, receivedAt);
        else if (event.__typename === 'CandidateJoined') watcher.joined.add(event.candidateId!);
      },
      (error) => {
        if (!watcher.#closing) onLost(`interviewEvents failed: ${error.message}`);
      },
    );
    return watcher;
  }

  close(): Promise<void> {
    this.#closing = true;
    return this.#socket.close();
  }
}

/** The simulated population of one server: interviews with a watching host each, and candidates. */
export class LiveLoad {
  readonly candidates: SimulatedCandidate[] = [];
  readonly heartbeats: HeartbeatStats = { sent: 0, ok: 0, failures: {} };
  readonly strayAlerts: StrayAlerts = { heartbeatLost: 0, unmatched: 0 };
  /** Sockets the server closed (or that broke) while in use, by reason. */
  readonly socketsLost: Record<string, number> = {};
  readonly #baseUrl: string;
  readonly #wsUrl: string;
  readonly #interviews: InterviewFixture[];
  readonly #byId = new Map<string, SimulatedCandidate>();
  #heartbeatLoop: { stop: AbortController; done: Promise<void> } | undefined;

  private constructor(baseUrl: string, interviews: InterviewFixture[]) {
    this.#baseUrl = baseUrl;
    this.#wsUrl = `${baseUrl.replace(/^http/, 'ws')}/graphql`;
    this.#interviews = interviews;
  }

  /** Hosts sign up (one org each), create and start an interview, and start watching it. */
  static async prepare(baseUrl: string, interviews: number): Promise<LiveLoad> {
    const fixtures: InterviewFixture[] = [];
    const load = new LiveLoad(baseUrl, fixtures);
    try {
      for (let i = 0; i < interviews; i++) fixtures.push(await load.#createInterview(i));
    } catch (error) {
      await load.close();
      throw error;
    }
    return load;
  }

  /**
   * Invites `count` more candidates (spread over the interviews), connects and joins them,
   * SETUP_CONCURRENCY at a time, calling `onProgress` with how many joined every few seconds.
   * The first candidate that fails stops the set-up: it rejects with a Limit that says how many
   * joined. Those that did join stay in `candidates`, so `close()` closes them.
   */
  async addCandidates(count: number, signal: AbortSignal, onProgress: (joined: number) => void): Promise<void> {
    const first = this.candidates.length;
    const invitations: Invitation[] = [];
    let next = first;
    let failure: { error: unknown } | undefined;
    let reportedAt = performance.now();
    const worker = async () => {
      while (next < first + count && failure === undefined && !signal.aborted) {
        const index = next++;
        try {
          const invitation = await this.#invite(index);
          const candidate = await SimulatedCandidate.join(this.#wsUrl, invitation, index, (reason) => this.#lost(`candidate: ${reason}`)).catch(naming('joining'));
          this.candidates.push(candidate);
          this.#byId.set(candidate.candidateId, candidate);
          invitations.push(invitation);
        } catch (error) {
          failure ??= { error };
        }
        if (performance.now() - reportedAt >= SETUP_PROGRESS_MS) {
          reportedAt = performance.now();
          onProgress(invitations.length);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SETUP_CONCURRENCY, count) }, worker));
    signal.throwIfAborted();
    if (failure !== undefined) {
      const limit = asLimit(failure.error);
      if (!limit) throw failure.error;
      throw new Limit(limit.kind, `${invitations.length} of ${count} candidates joined, then ${limit.message}`, { cause: failure.error });
    }
    onProgress(invitations.length);
    await this.#untilHostsSawJoins(invitations, signal);
  }

  /** Every candidate heartbeats every 2 s until `stopHeartbeats`. */
  startHeartbeats(): void {
    const stop = new AbortController();
    const forever = Number.MAX_SAFE_INTEGER;
    const done = roundRobin(this.candidates.length, HEARTBEAT_PERIOD_MS, forever, (i) => this.candidates[i]!.heartbeat(this.heartbeats), stop.signal);
    this.#heartbeatLoop = { stop, done };
  }

  async stopHeartbeats(): Promise<void> {
    this.#heartbeatLoop?.stop.abort();
    await this.#heartbeatLoop?.done;
  }

  /** Offers `phase`'s rate for its duration (or until `signal` aborts): a batch per candidate every 500 ms. */
  async offer(phase: Phase, signal?: AbortSignal): Promise<void> {
    const perCandidate = phase.offeredEventsPerSecond / this.candidates.length;
    if (perCandidate > MAX_EVENTS_PER_SESSION_PER_SECOND) {
      throw new Error(`${phase.offeredEventsPerSecond} events/s needs at least ${candidatesFor(phase.offeredEventsPerSecond)} candidates`);
    }
    const eventsPerBatch = (perCandidate * BATCH_PERIOD_MS) / 1000;
    await roundRobin(this.candidates.length, BATCH_PERIOD_MS, phase.durationMs, (i) => this.candidates[i]!.report(eventsPerBatch, phase), signal);
    signal?.throwIfAborted();
  }

  /** Waits until every batch of `phase` is answered and alerted, or `timeoutMs` passed. */
  async settle(phase: Phase, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!phase.settled && performance.now() < deadline) {
      signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    }
  }

  /** Acknowledged seqs per session id. */
  acknowledgedBySession(): Map<string, number[]> {
    return new Map(this.candidates.map((candidate) => [candidate.sessionId, candidate.acknowledged]));
  }

  async close(): Promise<void> {
    await this.stopHeartbeats();
    await Promise.all([...this.candidates.map((c) => c.close()), ...this.#interviews.map((i) => i.watcher.close())]);
  }

  async #createInterview(index: number): Promise<InterviewFixture> {
    const { client: host } = await signUp(new GraphQLClient(this.#baseUrl, undefined, { timeoutMs: CALL_TIMEOUT_MS }), `Live bench org ${index}`).catch(naming('signUp'));
    const created = await host.ok<{ createInterview: { interview: { id: string } } }>(CREATE_INTERVIEW).catch(naming('createInterview'));
    const id = created.createInterview.interview.id;
    await host.ok(START_INTERVIEW, { id }).catch(naming('startInterview'));
    const watcher = await HostWatcher.watch(
      this.#wsUrl,
      host.token!,
      id,
      (candidateId, type, at) => this.#alert(candidateId, type, at),
      (reason) => this.#lost(`host: ${reason}`),
    );
    return { id, host, watcher };
  }

  async #invite(index: number): Promise<Invitation> {
    const interview = this.#interviews[index % this.#interviews.length]!;
    const data = await interview.host
      .ok<{ inviteCandidate: { token: string; candidate: { id: string } } }>(INVITE, {
        id: interview.id,
        name: `Candidate ${index}`,
        email: `candidate-${index}@live-bench.example.com`,
      })
      .catch(naming('inviteCandidate'));
    return { candidateId: data.inviteCandidate.candidate.id, token: data.inviteCandidate.token, interview };
  }

  #alert(candidateId: string, type: string, receivedAt: number): void {
    if (type === 'HEARTBEAT_LOST') this.strayAlerts.heartbeatLost++;
    else if (!this.#byId.get(candidateId)?.alerted(type, receivedAt)) this.strayAlerts.unmatched++;
  }

  #lost(reason: string): void {
    this.socketsLost[reason] = (this.socketsLost[reason] ?? 0) + 1;
  }

  async #untilHostsSawJoins(invitations: Invitation[], signal: AbortSignal): Promise<void> {
    const deadline = performance.now() + CALL_TIMEOUT_MS;
    const unseen = () => invitations.filter((invitation) => !invitation.interview.watcher.joined.has(invitation.candidateId));
    while (unseen().length > 0) {
      signal.throwIfAborted();
      if (performance.now() > deadline) {
        throw new Limit('ack timeout', `hosts did not see ${unseen().length} of ${invitations.length} candidates join (CandidateJoined) within ${seconds(CALL_TIMEOUT_MS)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    }
  }
}

/** Candidates needed to offer `eventsPerSecond` within the per-session budget. */
export function candidatesFor(eventsPerSecond: number): number {
  return Math.ceil(eventsPerSecond / MAX_EVENTS_PER_SESSION_PER_SECOND);
}
