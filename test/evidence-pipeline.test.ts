// The evidence pipeline under hostile input and at the end of an interview, on a real server and
// database over real graphql-ws sockets: one candidate's bad event cannot fail other candidates'
// (or other orgs') events in the shared group commit, a seq repeated in a batch is stored once,
// and nothing a candidate sends is stored once the interview has ended.
import assert from 'node:assert/strict';
import { parseTimestamp } from '../server/db/timestamps.ts';
import { violationLogDigest } from '../server/reports/report-input.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { waitForReport } from './support/interview-flow.ts';
import { SocketPool, subscribed, type WsClient } from './support/live.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { START_INTERVIEW, END_INTERVIEW } from './support/host-operations.ts';
import { DEVICE, JOIN_SESSION, REPORT_EVENTS } from './support/candidate-fixtures.ts';

const REPORT_WITH_DUPLICATES = REPORT_EVENTS.replace('accepted', 'accepted duplicates');
const HEARTBEAT = 'mutation($sessionId: ID!) { heartbeat(sessionId: $sessionId, telemetry: { visible: true, focused: true, fullscreen: false }) { serverTime } }';
const ALERTS = 'subscription($id: ID!) { interviewEvents(interviewId: $id) { __typename ... on LiveAlert { violationId count } } }';

interface Reported {
  accepted: number[];
  duplicates?: number[];
  rejected: { seq: number; code: string; message: string }[];
}

/**
 * How a candidate's request after the end is refused: INTERVIEW_ENDED from the service when it
 * raced the end, or UNAUTHENTICATED / the socket closed (4401) once the ended interview's join
 * link is revoked. Anything else (an acceptance included) is not a refusal.
 */
function refusal(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'code' in error && error.code === 4401) return 'CLOSED';
  // graphql-ws fails an operation with the GraphQL errors it was refused with.
  const text = Array.isArray(error) ? JSON.stringify(error) : error instanceof Error ? error.message : '';
  return /INTERVIEW_ENDED|UNAUTHENTICATED/.exec(text)?.[0];
}

describe(`evidence pipeline (${describeDatabase()})`, () => {
  let server: TestPlatform;
  const sockets = new SocketPool(() => server.url);
  const sql = <T>(query: string, params: unknown[] = []) => server.platform.orm.em.getConnection().execute<T[]>(query, params);

  before(async () => {
    server = await startTestPlatform({}, { PROCTOR_JOB_RETRY_DELAY: '100ms' });
  });
  afterEach(async () => sockets.closeAll());
  after(async () => server?.stop());

  /** A new org with a LIVE interview and a candidate in its session. */
  async function liveCandidate(orgName: string): Promise<{ host: GraphQLClient; interviewId: string; sessionId: string; candidate: WsClient }> {
    const { client: host } = await signUp(new GraphQLClient(server.url), orgName);
    const created = await host.ok('mutation { createInterview(input: { title: "Pipeline" }) { interview { id } } }');
    const interviewId: string = created.createInterview.interview.id;
    const invited = await host.ok('mutation($id: ID!) { inviteCandidate(interviewId: $id, name: "Ada", email: "ada@example.com") { token } }', { id: interviewId });
    await host.ok(START_INTERVIEW, { id: interviewId });
    const candidate = sockets.open(invited.inviteCandidate.token);
    const sessionId: string = (await candidate.request(JOIN_SESSION, { device: DEVICE })).joinSession.id;
    return { host, interviewId, sessionId, candidate };
  }

  const report = async (candidate: WsClient, sessionId: string, events: object[], query = REPORT_EVENTS): Promise<Reported> =>
    (await candidate.request(query, { sessionId, events })).reportEvents;
  const event = (seq: number, extra: Record<string, unknown> = {}) => ({ seq, type: 'TAB_SWITCH', occurredAt: new Date().toISOString(), durationMs: 100, ...extra });
  const storedSeqs = async (sessionId: string) => (await sql<{ seq: number }>('select seq from events where session_id = ? order by seq', [sessionId])).map((row) => row.seq);
  const violationTotals = async (sessionId: string) =>
    sql<{ count: number; events: string }>('select v.count, (select count(*) from events e where e.violation_id = v.id) as events from violations v where v.session_id = ?', [
      sessionId,
    ]);

  it('refuses metadata jsonb cannot store, event by event, and stores the rest of the batch', async () => {
    const { sessionId, candidate } = await liveCandidate('Validation');
    const result = await report(candidate, sessionId, [
      event(0, { metadata: { note: 'fine' } }),
      event(1, { metadata: { note: 'nul \u0000 inside' } }),
      event(2, { metadata: { nested: [{ 'key\u0000': 1 }] } }),
      event(3, { metadata: { note: 'lone \ud800 surrogate' } }),
      event(4, { metadata: { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } } }),
      event(5),
    ]);
    assert.deepEqual(result.accepted, [0, 5]);
    assert.deepEqual(
      result.rejected.map((r) => [r.seq, r.code]),
      [1, 2, 3, 4].map((seq) => [seq, 'BAD_USER_INPUT']),
    );
    assert.match(result.rejected[0]!.message, /NUL/);
    assert.match(result.rejected[1]!.message, /key/);
    assert.match(result.rejected[2]!.message, /surrogate/);
    assert.match(result.rejected[3]!.message, /deeper than 8/);
    assert.deepEqual(await storedSeqs(sessionId), [0, 5]);
  });

  it("commits every other org's events when the database refuses one row of the shared flush", async () => {
    // A row the validator cannot know is bad: the database itself refuses it (a constraint added
    // for this test stands for any data error PostgreSQL may raise on a single row).
    await sql(`alter table events add constraint test_refuses_poison check (metadata is null or metadata->>'poison' is null) not valid`);
    try {
      const innocent = await Promise.all([liveCandidate('Innocent A'), liveCandidate('Innocent B')]);
      const culprit = await liveCandidate('Culprit');
      const alerts = sockets.open(culprit.host.token).subscribe(ALERTS, { id: culprit.interviewId });
      await subscribed(server.platform.services.interviewEvents, culprit.interviewId);
      // Sent together: they meet in one group commit (it flushes every 50 ms).
      const [a, b, bad] = await Promise.all([
        report(
          innocent[0].candidate,
          innocent[0].sessionId,
          [0, 1, 2, 3].map((seq) => event(seq)),
        ),
        report(
          innocent[1].candidate,
          innocent[1].sessionId,
          [0, 1, 2].map((seq) => event(seq)),
        ),
        report(culprit.candidate, culprit.sessionId, [event(0), event(1, { metadata: { poison: true } }), event(2)]),
      ]);
      assert.deepEqual(a, { accepted: [0, 1, 2, 3], rejected: [] });
      assert.deepEqual(b, { accepted: [0, 1, 2], rejected: [] });
      assert.deepEqual(bad.accepted, [0, 2]);
      assert.deepEqual(
        bad.rejected.map((r) => [r.seq, r.code]),
        [[1, 'BAD_USER_INPUT']],
      );
      assert.deepEqual(await storedSeqs(innocent[0].sessionId), [0, 1, 2, 3]);
      assert.deepEqual(await storedSeqs(innocent[1].sessionId), [0, 1, 2]);
      assert.deepEqual(await storedSeqs(culprit.sessionId), [0, 2]);
      // The refused row is not counted: the violation holds the two stored events, in the
      // database and in the live alert hosts saw (its last one carries the committed total).
      assert.deepEqual(await violationTotals(culprit.sessionId), [{ count: 2, events: '2' }]);
      const seen = [];
      do seen.push((await alerts.next()).data.interviewEvents);
      while (seen.at(-1).count < 2);
      assert.ok(
        seen.every((alert) => alert.count <= 2),
        JSON.stringify(seen),
      );
      // The session carries on: the next event folds into the same violation.
      assert.deepEqual((await report(culprit.candidate, culprit.sessionId, [event(3)])).accepted, [3]);
      assert.deepEqual(await violationTotals(culprit.sessionId), [{ count: 3, events: '3' }]);
    } finally {
      await sql('alter table events drop constraint test_refuses_poison');
    }
  });

  it('stores a seq repeated within one batch once, and acknowledges the repeat as a duplicate', async () => {
    const { sessionId, candidate } = await liveCandidate('Repeats');
    const first = await report(candidate, sessionId, [event(0), event(1), event(0), event(1), event(2)], REPORT_WITH_DUPLICATES);
    assert.deepEqual(first, { accepted: [0, 1, 2], duplicates: [0, 1], rejected: [] });
    const retry = await report(candidate, sessionId, [event(2), event(3)], REPORT_WITH_DUPLICATES);
    assert.deepEqual(retry, { accepted: [2, 3], duplicates: [2], rejected: [] });
    assert.deepEqual(await storedSeqs(sessionId), [0, 1, 2, 3]);
    assert.deepEqual(await violationTotals(sessionId), [{ count: 4, events: '4' }]);
  });

  it('refuses everything from the candidate once the interview has ended, and stores nothing', async () => {
    const { host, interviewId, sessionId, candidate } = await liveCandidate('Ended');
    assert.deepEqual((await report(candidate, sessionId, [event(0)])).accepted, [0]);
    await host.ok(END_INTERVIEW, { id: interviewId });
    for (const [query, variables] of [
      [REPORT_EVENTS, { sessionId, events: [event(1)] }],
      [HEARTBEAT, { sessionId }],
      [JOIN_SESSION, { device: DEVICE }],
    ] as const) {
      const outcome = await candidate.request(query, variables).then(
        (data) => assert.fail(`accepted after the end: ${JSON.stringify(data)}`),
        (error: unknown) => error,
      );
      assert.ok(refusal(outcome), `refused with a clear reason, got ${String(outcome)}`);
    }
    assert.equal((await candidate.closed).code, 4401, 'the socket of an ended interview is closed');
    assert.deepEqual(await storedSeqs(sessionId), [0]);
    assert.equal((await sql('select id from sessions where candidate_id = (select candidate_id from sessions where id = ?)', [sessionId])).length, 1);
  });

  it('an event in flight as the interview ends is either in the report or refused, never stored after it', async () => {
    const { host, interviewId, sessionId, candidate } = await liveCandidate('Race');
    const acknowledged: number[] = [];
    const refused: number[] = [];
    let seq = 0;
    let endRequested = false;
    let ended = false;
    const tenAcknowledged = Promise.withResolvers<void>();
    // Four batches always outstanding, each sent as the previous one settles, until each sender
    // has sent three batches after endInterview answered.
    const sender = async () => {
      for (let sentAfterEnd = 0; sentAfterEnd < 3;) {
        const afterEnd = ended;
        const batch = [event(seq++), event(seq++)];
        const outcome = await report(candidate, sessionId, batch).catch((error: unknown) => ({ refusedWith: refusal(error) ?? String(error) }));
        if ('refusedWith' in outcome) {
          assert.match(outcome.refusedWith, /^(INTERVIEW_ENDED|UNAUTHENTICATED|CLOSED)$/);
          assert.ok(endRequested, 'refused only once the end was asked for');
          refused.push(...batch.map((e) => e.seq));
        } else {
          assert.ok(!afterEnd, `batch ${JSON.stringify(batch)} sent after the end was accepted: ${JSON.stringify(outcome)}`);
          acknowledged.push(...outcome.accepted);
          if (acknowledged.length >= 10) tenAcknowledged.resolve();
        }
        if (afterEnd) sentAfterEnd++;
      }
    };
    const senders = Promise.all([sender(), sender(), sender(), sender()]);
    // The end is asked for while batches are in flight; a sender that fails first fails the test.
    await Promise.race([tenAcknowledged.promise, senders]);
    endRequested = true;
    await host.ok(END_INTERVIEW, { id: interviewId });
    ended = true;
    await senders;
    const done = await waitForReport(host, interviewId);
    assert.equal(done.status, 'READY');
    // Exactly the acknowledged events are stored, all of them counted in the report...
    assert.deepEqual(
      await storedSeqs(sessionId),
      [...acknowledged].sort((x, y) => x - y),
    );
    assert.equal(
      done.counts.reduce((sum: number, c: { count: number }) => sum + c.count, 0),
      acknowledged.length,
    );
    // ...and the violations as they are now are those the report's digest covers.
    const violations = await sql<{ id: string; type: string; severity: string; timestamp: string; count: number; duration_ms: number }>(
      'select id, type, severity, timestamp, count, duration_ms from violations where interview_id = ?',
      [interviewId],
    );
    const now = violations.map((v) => ({
      id: v.id,
      type: v.type as never,
      severity: v.severity as never,
      at: parseTimestamp(v.timestamp),
      count: v.count,
      durationMs: v.duration_ms,
    }));
    assert.equal(violationLogDigest(now), done.violationLogSha256);
    assert.ok(refused.length >= 24, `${refused.length} events refused`);
  });
});
