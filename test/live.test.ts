// Live monitoring end to end: a candidate and a host on real graphql-ws sockets against a real
// server and database.
import assert from 'node:assert/strict';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { connect, type WsClient } from './support/live.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';

const DEVICE = { userAgent: 'Mozilla/5.0 (test)', screen: { width: 1920, height: 1080, pixelRatio: 1 }, cameras: 1, microphones: 1 };
const JOIN = 'mutation($device: DeviceInput!) { joinSession(device: $device) { id resumed interviewId rules { strictMode } } }';
const REPORT = 'mutation($sessionId: ID!, $events: [EventInput!]!) { reportEvents(sessionId: $sessionId, events: $events) { accepted rejected { seq code message } } }';
const EVENTS = `subscription($id: ID!) { interviewEvents(interviewId: $id) {
  __typename
  ... on CandidateJoined { candidateId sessionId name resumed }
  ... on LiveAlert { violationId candidateId type severity message count durationMs occurredAt }
} }`;

describe(`live monitoring (${describeDatabase()})`, () => {
  let server: TestPlatform;
  let host: GraphQLClient;
  const sockets: WsClient[] = [];
  const open = (token: string | undefined) => {
    const socket = connect(server.url, token);
    sockets.push(socket);
    return socket;
  };

  before(async () => {
    server = await startTestPlatform();
    ({ client: host } = await signUp(new GraphQLClient(server.url)));
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.dispose()));
  });
  after(async () => server?.stop());

  async function interviewWithCandidate(config: Record<string, unknown> = {}) {
    const created = await host.ok('mutation($config: InterviewConfigInput) { createInterview(input: { title: "Live", config: $config }) { interview { id } } }', { config });
    const interviewId = created.createInterview.interview.id;
    const invited = await host.ok('mutation($id: ID!) { inviteCandidate(interviewId: $id, name: "Ada", email: "ada@example.com") { token candidate { id } } }', { id: interviewId });
    await host.ok('mutation($id: ID!) { startInterview(id: $id) { status } }', { id: interviewId });
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
    await new Promise((resolve) => setTimeout(resolve, 100)); // the subscription is registered
    const candidate = open(token);
    const joined = (await candidate.request(JOIN, { device: DEVICE })).joinSession;
    assert.equal(joined.resumed, false);
    assert.equal(joined.interviewId, interviewId);
    const joinEvent = (await watcher.next()).data.interviewEvents;
    assert.deepEqual(joinEvent, { __typename: 'CandidateJoined', candidateId, sessionId: joined.id, name: 'Ada', resumed: false });

    const first = await candidate.request(REPORT, { sessionId: joined.id, events: [event(0, 'TAB_SWITCH', { durationMs: 1200 })] });
    assert.deepEqual(first.reportEvents, { accepted: [0], rejected: [] });
    const alert = (await watcher.next()).data.interviewEvents;
    assert.equal(alert.__typename, 'LiveAlert');
    assert.equal(alert.type, 'TAB_SWITCH');
    assert.equal(alert.severity, 'HIGH', 'decided by the server');
    assert.equal(alert.count, 1);

    await candidate.request(REPORT, { sessionId: joined.id, events: [event(1, 'TAB_SWITCH', { durationMs: 800 })] });
    const update = (await watcher.next()).data.interviewEvents;
    assert.equal(update.violationId, alert.violationId, 'the same violation, updated');
    assert.equal(update.count, 2);
    assert.equal(update.durationMs, 2000);
    assert.equal(update.message, 'Candidate switched to another tab (2 times)');

    const rows = await server.platform.orm.em.getConnection().execute('select count, duration_ms, severity from violations where id = ?', [alert.violationId]);
    assert.deepEqual(rows, [{ count: 2, duration_ms: 2000, severity: 'HIGH' }]);
    const events = await server.platform.orm.em.getConnection().execute('select seq, violation_id from events where session_id = ? order by seq', [joined.id]);
    assert.deepEqual(events, [{ seq: 0, violation_id: alert.violationId }, { seq: 1, violation_id: alert.violationId }]);
  });

  it('acknowledges a retried seq again without storing it twice, and resumes the session on rejoin', async () => {
    const { token } = await interviewWithCandidate();
    const candidate = open(token);
    const { id: sessionId } = (await candidate.request(JOIN, { device: DEVICE })).joinSession;
    const batch = [event(0, 'FACE_MISSING', { durationMs: 1500, confidence: 0.9 }), event(1, 'LOOKING_AWAY', { durationMs: 6000 })];
    assert.deepEqual((await candidate.request(REPORT, { sessionId, events: batch })).reportEvents.accepted, [0, 1]);
    await candidate.dispose();

    const again = open(token);
    const rejoined = (await again.request(JOIN, { device: DEVICE })).joinSession;
    assert.deepEqual([rejoined.id, rejoined.resumed], [sessionId, true]);
    assert.deepEqual((await again.request(REPORT, { sessionId, events: batch })).reportEvents, { accepted: [0, 1], rejected: [] });
    const rows = await server.platform.orm.em.getConnection().execute<{ type: string; severity: string }[]>(
      'select v.type, v.severity from events e join violations v on v.id = e.violation_id where e.session_id = ? order by e.seq',
      [sessionId],
    );
    assert.deepEqual(rows, [
      { type: 'FACE_MISSING', severity: 'CRITICAL' },
      { type: 'LOOKING_AWAY', severity: 'MEDIUM' }, // sustained: 6 s
    ]);
  });

  it('rejects stale, replayed, oversized and unmonitored events with a code, keeping the rest', async () => {
    const { token } = await interviewWithCandidate({ strictMode: true });
    const candidate = open(token);
    const { id: sessionId } = (await candidate.request(JOIN, { device: DEVICE })).joinSession;
    const result = (
      await candidate.request(REPORT, {
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
      [[1, 'STALE_EVENT'], [2, 'STALE_EVENT'], [3, 'BAD_USER_INPUT'], [4, 'NOT_MONITORED'], [5, 'BAD_USER_INPUT']],
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
