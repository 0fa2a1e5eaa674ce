// Live monitoring end to end: a candidate and a host on real graphql-ws sockets against a real
// server and database.
import assert from 'node:assert/strict';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { connect, SocketPool, subscribed, type WsClient } from './support/live.ts';
import { SessionStore } from '../server/live/session-store.ts';
import { until } from './support/until.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { DEVICE, REPORT_EVENTS } from './support/candidate-fixtures.ts';
import { START_INTERVIEW, END_INTERVIEW } from './support/host-operations.ts';

const JOIN = 'mutation($device: DeviceInput!) { joinSession(device: $device) { id resumed interview { id title status } rules { strictMode } } }';
const EVENTS = `subscription($id: ID!) { interviewEvents(interviewId: $id) {
  __typename
  ... on CandidateJoined { candidateId sessionId name resumed }
  ... on LiveAlert { violationId candidateId type severity message count durationMs occurredAt }
} }`;

const EVENTS_WITH_STATUS = `subscription($id: ID!) { interviewEvents(interviewId: $id) {
  __typename
  ... on CandidateJoined { sessionId resumed }
  ... on CandidateLeft { candidateId sessionId }
  ... on InterviewStatusChanged { status }
} }`;

describe(`live monitoring (${describeDatabase()})`, () => {
  let server: TestPlatform;
  let host: GraphQLClient;
  const sockets = new SocketPool(() => server.url);
  const open = (token: string | undefined) => sockets.open(token);

  before(async () => {
    server = await startTestPlatform();
    ({ client: host } = await signUp(new GraphQLClient(server.url)));
  });
  afterEach(async () => {
    await sockets.closeAll();
  });
  after(async () => server?.stop());

  async function interviewWithCandidate(config: Record<string, unknown> = {}) {
    const created = await host.ok('mutation($config: InterviewConfigInput) { createInterview(input: { title: "Live", config: $config }) { interview { id } } }', { config });
    const interviewId = created.createInterview.interview.id;
    const invited = await host.ok('mutation($id: ID!) { inviteCandidate(interviewId: $id, name: "Ada", email: "ada@example.com") { token candidate { id } } }', {
      id: interviewId,
    });
    await host.ok(START_INTERVIEW, { id: interviewId });
    return { interviewId, token: invited.inviteCandidate.token as string, candidateId: invited.inviteCandidate.candidate.id as string };
  }

  const event = (seq: number, type: string, extra: Record<string, unknown> = {}) => ({ seq, type, occurredAt: new Date().toISOString(), ...extra });

  it('closes a socket with a bad token with 4401 and a reason', async () => {
    const closed = await open('not-a-token').closed;
    assert.equal(closed.code, 4401);
    assert.match(closed.reason, /not a Proctor token/);
    assert.equal((await open(undefined).closed).code, 4401);
  });

  it('delivers a join and alerts with server-decided severity, aggregated within 5 s', async () => {
    const { interviewId, token, candidateId } = await interviewWithCandidate();
    const watcher = open(host.token).subscribe(EVENTS, { id: interviewId });
    await subscribed(server.platform.services.interviewEvents, interviewId);
    const candidate = open(token);
    const joined = (await candidate.request(JOIN, { device: DEVICE })).joinSession;
    assert.equal(joined.resumed, false);
    assert.deepEqual(joined.interview, { id: interviewId, title: 'Live', status: 'LIVE' });
    assert.deepEqual(joined.rules, { strictMode: false });
    const joinEvent = (await watcher.next()).data.interviewEvents;
    assert.deepEqual(joinEvent, { __typename: 'CandidateJoined', candidateId, sessionId: joined.id, name: 'Ada', resumed: false });

    const first = await candidate.request(REPORT_EVENTS, { sessionId: joined.id, events: [event(0, 'TAB_SWITCH', { durationMs: 1200 })] });
    assert.deepEqual(first.reportEvents, { accepted: [0], rejected: [] });
    const alert = (await watcher.next()).data.interviewEvents;
    assert.equal(alert.__typename, 'LiveAlert');
    assert.equal(alert.type, 'TAB_SWITCH');
    assert.equal(alert.severity, 'HIGH', 'decided by the server');
    assert.equal(alert.count, 1);

    await candidate.request(REPORT_EVENTS, { sessionId: joined.id, events: [event(1, 'TAB_SWITCH', { durationMs: 800 })] });
    const update = (await watcher.next()).data.interviewEvents;
    assert.equal(update.violationId, alert.violationId, 'the same violation, updated');
    assert.equal(update.count, 2);
    assert.equal(update.durationMs, 2000);
    assert.equal(update.message, 'Candidate switched to another tab (2 times)');

    const rows = await server.platform.orm.em.getConnection().execute('select count, duration_ms, severity from violations where id = ?', [alert.violationId]);
    assert.deepEqual(rows, [{ count: 2, duration_ms: 2000, severity: 'HIGH' }]);
    const events = await server.platform.orm.em.getConnection().execute('select seq, violation_id from events where session_id = ? order by seq', [joined.id]);
    assert.deepEqual(events, [
      { seq: 0, violation_id: alert.violationId },
      { seq: 1, violation_id: alert.violationId },
    ]);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /^proctor_events_ingested_total\{type="TAB_SWITCH",origin="client"\} [1-9]\d*$/m);
    assert.match(metrics, /^proctor_alerts_published_total\{severity="HIGH"\} [1-9]\d*$/m);
  });

  it('acknowledges a retried seq again without storing it twice, and resumes the session on rejoin', async () => {
    const { token } = await interviewWithCandidate();
    const candidate = open(token);
    const { id: sessionId } = (await candidate.request(JOIN, { device: DEVICE })).joinSession;
    const batch = [event(0, 'FACE_MISSING', { durationMs: 1500, confidence: 0.9 }), event(1, 'LOOKING_AWAY', { durationMs: 6000 })];
    assert.deepEqual((await candidate.request(REPORT_EVENTS, { sessionId, events: batch })).reportEvents.accepted, [0, 1]);
    await candidate.dispose();

    const again = open(token);
    const rejoined = (await again.request(JOIN, { device: DEVICE })).joinSession;
    assert.deepEqual([rejoined.id, rejoined.resumed], [sessionId, true]);
    assert.deepEqual((await again.request(REPORT_EVENTS, { sessionId, events: batch })).reportEvents, { accepted: [0, 1], rejected: [] });
    const rows = await server.platform.orm.em
      .getConnection()
      .execute<{ type: string; severity: string }[]>('select v.type, v.severity from events e join violations v on v.id = e.violation_id where e.session_id = ? order by e.seq', [
        sessionId,
      ]);
    assert.deepEqual(rows, [
      { type: 'FACE_MISSING', severity: 'CRITICAL' },
      { type: 'LOOKING_AWAY', severity: 'MEDIUM' }, // sustained: 6 s
    ]);
  });

  it('acknowledges a stored seq again however late the retry, judging only new seqs by the clock', async () => {
    const { token } = await interviewWithCandidate();
    const candidate = open(token);
    const { id: sessionId } = (await candidate.request(JOIN, { device: DEVICE })).joinSession;
    assert.deepEqual((await candidate.request(REPORT_EVENTS, { sessionId, events: [event(7, 'WINDOW_BLUR')] })).reportEvents.accepted, [7]);
    // The same seq as a retry long after (its clock stamp now an hour old), and a new seq as old.
    const anHourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const retry = (
      await candidate.request(REPORT_EVENTS, { sessionId, events: [event(7, 'WINDOW_BLUR', { occurredAt: anHourAgo }), event(8, 'WINDOW_BLUR', { occurredAt: anHourAgo })] })
    ).reportEvents;
    assert.deepEqual(retry.accepted, [7]);
    assert.deepEqual(
      retry.rejected.map((r: any) => [r.seq, r.code]),
      [[8, 'STALE_EVENT']],
    );
    // A lower seq never seen before, after a higher one: out-of-order delivery after a reconnect.
    assert.deepEqual((await candidate.request(REPORT_EVENTS, { sessionId, events: [event(3, 'WINDOW_BLUR')] })).reportEvents.accepted, [3]);
    const rows = await server.platform.orm.em.getConnection().execute('select seq from events where session_id = ? order by seq', [sessionId]);
    assert.deepEqual(rows, [{ seq: 3 }, { seq: 7 }]);
  });

  it('rejects stale, replayed, oversized and unmonitored events with a code, keeping the rest', async () => {
    const { token } = await interviewWithCandidate({ strictMode: true });
    const candidate = open(token);
    const { id: sessionId } = (await candidate.request(JOIN, { device: DEVICE })).joinSession;
    const result = (
      await candidate.request(REPORT_EVENTS, {
        sessionId,
        events: [
          event(0, 'RESIZE_ATTEMPT'),
          { seq: 1, type: 'TAB_SWITCH', occurredAt: new Date(Date.now() - 60_000).toISOString() },
          { seq: 2, type: 'TAB_SWITCH', occurredAt: new Date(Date.now() + 60_000).toISOString() },
          event(3, 'COPY_PASTE', { metadata: { pad: 'x'.repeat(3000) } }),
          event(4, 'FULLSCREEN_EXIT'),
          event(5, 'CONTEXT_MENU', { confidence: 3 }),
        ],
      })
    ).reportEvents;
    assert.deepEqual(result.accepted, [0]);
    assert.deepEqual(
      result.rejected.map((r: any) => [r.seq, r.code]),
      [
        [1, 'STALE_EVENT'],
        [2, 'STALE_EVENT'],
        [3, 'BAD_USER_INPUT'],
        [4, 'NOT_MONITORED'],
        [5, 'BAD_USER_INPUT'],
      ],
    );
    assert.match(result.rejected[0].message, /more than 30 s from the server clock/);
    const [row] = await server.platform.orm.em.getConnection().execute('select severity from violations where session_id = ?', [sessionId]);
    assert.equal(row?.severity, 'HIGH', 'RESIZE_ATTEMPT is MEDIUM, one level up in strict mode');
  });

  it("keeps hosts of other orgs and candidates off an interview's events", async () => {
    const { interviewId, token } = await interviewWithCandidate();
    const { client: outsider } = await signUp(new GraphQLClient(server.url), 'Other org');
    const foreign = open(outsider.token).subscribe(EVENTS, { id: interviewId });
    const error = await foreign.error();
    assert.equal(error[0].extensions.code, 'NOT_FOUND');
    const asCandidate = open(token).subscribe(EVENTS, { id: interviewId });
    assert.equal((await asCandidate.error())[0].extensions.code, 'FORBIDDEN');
  });

  it('tells hosts when the candidate leaves and rejoins, and when the interview changes state', async () => {
    const { interviewId, token, candidateId } = await interviewWithCandidate();
    const watcher = open(host.token).subscribe(EVENTS_WITH_STATUS, { id: interviewId });
    await subscribed(server.platform.services.interviewEvents, interviewId);
    const first = open(token);
    const { id: sessionId } = (await first.request(JOIN, { device: DEVICE })).joinSession;
    assert.equal((await watcher.next()).data.interviewEvents.__typename, 'CandidateJoined');
    await first.dispose();
    assert.deepEqual((await watcher.next()).data.interviewEvents, { __typename: 'CandidateLeft', candidateId, sessionId });
    const second = open(token);
    await second.request(JOIN, { device: DEVICE });
    const rejoined = (await watcher.next()).data.interviewEvents;
    assert.deepEqual([rejoined.__typename, rejoined.sessionId, rejoined.resumed], ['CandidateJoined', sessionId, true]);
    await host.ok(END_INTERVIEW, { id: interviewId });
    assert.deepEqual((await watcher.next()).data.interviewEvents, { __typename: 'InterviewStatusChanged', status: 'COMPLETED' });
  });

  it('delivers a host ping to the candidate, audited; refuses another org', async () => {
    const { token, candidateId } = await interviewWithCandidate();
    const candidate = open(token);
    const inbox = candidate.subscribe('subscription { candidateMessages { kind message } }');
    await subscribed(server.platform.services.candidateMessages, candidateId);
    const ping = 'mutation($id: ID!, $message: String!) { pingCandidate(candidateId: $id, message: $message) { delivered message { id kind } } }';
    const sent = (await host.ok(ping, { id: candidateId, message: 'Please look at the camera' })).pingCandidate;
    assert.equal(sent.delivered, true);
    assert.deepEqual((await inbox.next()).data.candidateMessages, { kind: 'PING', message: 'Please look at the camera' });
    const [entry] = await server.platform.orm.em.getConnection().execute("select metadata from audit_log where action = 'candidate.message' and target_id = ?", [candidateId]);
    assert.equal(entry?.metadata.message, 'Please look at the camera');
    const { client: outsider } = await signUp(new GraphQLClient(server.url), 'Other org');
    assert.equal((await outsider.error(ping, { id: candidateId, message: 'hi' })).code, 'NOT_FOUND');
    assert.equal((await host.error(ping, { id: candidateId, message: '' })).code, 'BAD_USER_INPUT');
  });

  it('rate-limits a session to a burst of 200 events, keeping the connection', async () => {
    const { token } = await interviewWithCandidate();
    const candidate = open(token);
    const { id: sessionId } = (await candidate.request(JOIN, { device: DEVICE })).joinSession;
    const batch = (from: number) => Array.from({ length: 100 }, (_, i) => event(from + i, 'CONTEXT_MENU'));
    const results = [];
    const started = performance.now();
    for (const from of [0, 100, 200]) results.push((await candidate.request(REPORT_EVENTS, { sessionId, events: batch(from) })).reportEvents);
    // The bucket refills at 50 events/s while the batches travel: allow exactly that much on top of the burst.
    const refilled = Math.ceil(((performance.now() - started) / 1000) * 50);
    const accepted = results.flatMap((r) => r.accepted);
    const limited = results.flatMap((r) => r.rejected).filter((r: any) => r.code === 'RATE_LIMITED');
    assert.ok(accepted.length >= 200 && accepted.length <= 200 + refilled, `accepted ${accepted.length}, refill allowance ${refilled}`);
    assert.equal(accepted.length + limited.length, 300);
    assert.match(limited[0].message, /more than 50 events\/s/);
    assert.ok((await candidate.request(JOIN, { device: DEVICE })).joinSession.resumed, 'the connection is still up');
  });

  it('keeps the history: sessions and their violations, paged', async () => {
    const { interviewId, token } = await interviewWithCandidate();
    const candidate = open(token);
    const { id: sessionId } = (await candidate.request(JOIN, { device: DEVICE })).joinSession;
    // Distinct instants (not before the session started), so the order is known.
    const at = (ms: number) => new Date(Date.now() + ms).toISOString();
    const reported = await candidate.request(REPORT_EVENTS, {
      sessionId,
      events: [
        event(0, 'TAB_SWITCH', { occurredAt: at(100) }),
        event(1, 'FACE_MISSING', { durationMs: 2000, occurredAt: at(200) }),
        event(2, 'TAB_SWITCH', { occurredAt: at(300) }),
      ],
    });
    assert.deepEqual(reported.reportEvents.accepted, [0, 1, 2]);
    const history = await host.ok(
      `query($id: ID!) { interview(id: $id) { candidates { edges { node { sessions { id violations(first: 1) { edges { node { type count severity } } pageInfo { hasNextPage endCursor } } } } } } } }`,
      { id: interviewId },
    );
    const [session] = history.interview.candidates.edges[0].node.sessions;
    assert.equal(session.id, sessionId);
    assert.deepEqual(
      session.violations.edges.map((e: any) => e.node),
      [{ type: 'TAB_SWITCH', count: 2, severity: 'HIGH' }],
    );
    assert.equal(session.violations.pageInfo.hasNextPage, true);
  });

  it('serves subscriptions over SSE to HTTP-only clients', async () => {
    const { interviewId, token } = await interviewWithCandidate();
    const abort = new AbortController();
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${host.token}` },
      body: JSON.stringify({ query: EVENTS, variables: { id: interviewId } }),
      signal: abort.signal,
    });
    assert.equal(response.headers.get('content-type')?.split(';')[0], 'text/event-stream');
    await subscribed(server.platform.services.interviewEvents, interviewId);
    await open(token).request(JOIN, { device: DEVICE });
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('CandidateJoined')) text += new TextDecoder().decode((await reader.read()).value);
    assert.match(text, /event: next\ndata: \{"data":\{"interviewEvents":\{"__typename":"CandidateJoined"/);
    abort.abort();
  });

  it('allows one subscription of each kind per connection', async () => {
    const { interviewId } = await interviewWithCandidate();
    const socket = open(host.token);
    socket.subscribe(EVENTS, { id: interviewId });
    const second = socket.subscribe(EVENTS, { id: interviewId });
    const error = await second.error();
    assert.equal(error[0].extensions.code, 'RATE_LIMITED');
    assert.match(error[0].message, /Only one interviewEvents subscription per connection/);
  });
});

describe(`heartbeats (${describeDatabase()})`, () => {
  // Roomy next to the candidate's 300 ms pace: a false alert needs one heartbeat to take 1.7 s,
  // which a busy machine with a PostgreSQL server did reach against a 0.8 s timeout.
  const HEARTBEAT_TIMEOUT_MS = 2000;
  /** How often the server's watchdog looks: min(1 s, a quarter of the timeout). */
  const WATCHDOG_INTERVAL_MS = HEARTBEAT_TIMEOUT_MS / 4;
  let server: TestPlatform;
  let host: GraphQLClient;
  let candidate: WsClient | undefined;
  before(async () => {
    server = await startTestPlatform({ heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS });
    ({ client: host } = await signUp(new GraphQLClient(server.url)));
  });
  after(async () => {
    await candidate?.dispose();
    await server?.stop();
  });

  it('raises HEARTBEAT_LOST after silence in a LIVE interview, and not while heartbeats arrive', async () => {
    const id = (await host.ok('mutation { createInterview(input: { title: "Heartbeats" }) { interview { id } } }')).createInterview.interview.id;
    const { token } = (await host.ok('mutation($id: ID!) { inviteCandidate(interviewId: $id, name: "Bo", email: "bo@example.com") { token } }', { id })).inviteCandidate;
    await host.ok(START_INTERVIEW, { id });
    const watcher = connect(server.url, host.token).subscribe(EVENTS, { id });
    await subscribed(server.platform.services.interviewEvents, id);
    candidate = connect(server.url, token);
    const { id: sessionId } = (await candidate.request(JOIN, { device: DEVICE })).joinSession;
    await watcher.next(); // joined
    const beat = 'mutation($id: ID!) { heartbeat(sessionId: $id, telemetry: { visible: true, focused: true, fullscreen: false, faceCount: 1, fps: 5 }) { serverTime } }';
    for (let i = 0; i < 10; i++) {
      const ack: { serverTime: string } = (await candidate.request(beat, { id: sessionId })).heartbeat;
      assert.ok(Math.abs(new Date(ack.serverTime).getTime() - Date.now()) < 5000);
      // The candidate's own pace, under the timeout: the gap between heartbeats is what the server
      // judges, so this wait is part of the scenario rather than a wait for the server.
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    // 3 s of regular heartbeats, longer than the timeout: nothing raised. Now silence, judged by a
    // database that answers the watchdog's status query only after several of its ticks (fault
    // injection): a tick must not raise what the one before is still raising.
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the store as `this`, then put back
    const { interviewStatus } = SessionStore.prototype;
    const queries = { started: 0, answered: 0 };
    SessionStore.prototype.interviewStatus = async function (this: SessionStore, interviewId: string) {
      queries.started++;
      await new Promise((resolve) => setTimeout(resolve, 3 * WATCHDOG_INTERVAL_MS));
      try {
        return await interviewStatus.call(this, interviewId);
      } finally {
        queries.answered++;
      }
    };
    try {
      const lost = (await watcher.next()).data.interviewEvents;
      assert.deepEqual([lost.__typename, lost.type, lost.severity], ['LiveAlert', 'HEARTBEAT_LOST', 'HIGH']);
      // Every tick that judged the silence is done, and what it raised is committed.
      await until('every status query of the watchdog to be answered', async () => queries.started === queries.answered);
      await server.platform.services.events.drain();
    } finally {
      SessionStore.prototype.interviewStatus = interviewStatus;
    }
    const rows = await server.platform.orm.em.getConnection().execute('select seq, type from events where session_id = ?', [sessionId]);
    assert.deepEqual(rows, [{ seq: null, type: 'HEARTBEAT_LOST' }], 'stored as a server-detected event, exactly once');
    const telemetry = await server.platform.orm.em.getConnection().execute('select telemetry from sessions where id = ?', [sessionId]);
    assert.equal(telemetry[0]?.telemetry.faceCount, 1);
  });
});
