// Accommodations per candidate over GraphQL on a real server and database: validation of hostile
// input, org isolation, the audit row (before → after), the end of the interview as the limit;
// applied where the server decides severity (a page-like client's covered events are stored as
// accommodated evidence, raise no alert and do not count), and named in the report and its PDF.
import assert from 'node:assert/strict';
import { DEVICE, REPORT_EVENTS } from './support/candidate-fixtures.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { END_INTERVIEW, START_INTERVIEW } from './support/host-operations.ts';
import { connect } from './support/live.ts';
import { ALERTS } from './support/candidate-page.ts';
import { pdfText } from './support/pdf.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { runProctor, squash } from './support/proctor-cli.ts';
import { until } from './support/until.ts';

const ACCOMMODATIONS = 'accommodations { ignore lookAwayDegrees allowAudio note }';
const CREATE = 'mutation($config: InterviewConfigInput) { createInterview(input: { title: "Accommodated", config: $config }) { interview { id } } }';
const INVITE = `mutation($id: ID!, $email: String!, $accommodations: AccommodationsInput) {
  inviteCandidate(interviewId: $id, name: "Ada Lovelace", email: $email, accommodations: $accommodations) { token candidate { id ${ACCOMMODATIONS} } } }`;
const SET = `mutation($id: ID!, $accommodations: AccommodationsInput!) { setAccommodations(candidateId: $id, accommodations: $accommodations) { id ${ACCOMMODATIONS} } }`;
const JOIN = 'mutation($device: DeviceInput!) { joinSession(device: $device) { id rules { lookAwayDegrees audioPolicy } } }';
const SESSION = `query($token: String!) { candidateSession(token: $token) { rules { lookAwayDegrees audioPolicy } ${ACCOMMODATIONS} } }`;
const VIOLATIONS = `query($id: ID!) { interview(id: $id) { candidates { edges { node { id sessions { violations { edges { node { type count accommodated } } } } } } } } }`;
const REPORT = `query($id: ID!, $candidateId: ID) { report(interviewId: $id, candidateId: $candidateId) { status downloadUrl scores { integrity focus composite }
  explanation { dimension type points sentence } accommodated { type count sentence } ${ACCOMMODATIONS} } }`;

describe(`accommodations (${describeDatabase()})`, () => {
  let server: TestPlatform;
  let host: GraphQLClient;
  let other: GraphQLClient;
  let emails = 0;

  before(async () => {
    server = await startTestPlatform({}, { PROCTOR_JOB_RETRY_DELAY: '100ms' });
    ({ client: host } = await signUp(new GraphQLClient(server.url)));
    ({ client: other } = await signUp(new GraphQLClient(server.url), 'Other org'));
  });
  after(async () => {
    await server?.stop();
  });

  async function interview(config: Record<string, unknown> = {}): Promise<string> {
    return (await host.ok(CREATE, { config })).createInterview.interview.id;
  }

  async function invite(interviewId: string, accommodations: Record<string, unknown> | null = null) {
    const { inviteCandidate } = await host.ok(INVITE, { id: interviewId, email: `ada${++emails}@example.com`, accommodations });
    return { candidateId: inviteCandidate.candidate.id as string, token: inviteCandidate.token as string, accommodations: inviteCandidate.candidate.accommodations };
  }

  it('validates what is sent, keeps other orgs out, audits before → after, and stops changing once the interview ends', async () => {
    const interviewId = await interview();
    const { candidateId, accommodations: none } = await invite(interviewId);
    assert.deepEqual(none, { ignore: [], lookAwayDegrees: null, allowAudio: false, note: null });

    const set = await host.ok(SET, {
      id: candidateId,
      accommodations: { ignore: ['LOOKING_AWAY', 'TAB_SWITCH', 'LOOKING_AWAY'], lookAwayDegrees: 45, note: '  Uses a head pointer.  ' },
    });
    assert.deepEqual(set.setAccommodations.accommodations, { ignore: ['TAB_SWITCH', 'LOOKING_AWAY'], lookAwayDegrees: 45, allowAudio: false, note: 'Uses a head pointer.' });

    const refused = async (accommodations: Record<string, unknown>, field: string) => {
      const result = await host.request(SET, { id: candidateId, accommodations });
      assert.equal(result.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(result.errors));
      assert.equal(result.errors?.[0]?.extensions?.field, field, JSON.stringify(result.errors));
    };
    await refused({ ignore: Array.from({ length: 33 }, () => 'TAB_SWITCH') }, 'accommodations.ignore');
    await refused({ lookAwayDegrees: 9 }, 'accommodations.lookAwayDegrees');
    await refused({ lookAwayDegrees: 91 }, 'accommodations.lookAwayDegrees');
    await refused({ lookAwayDegrees: 35 }, 'accommodations.lookAwayDegrees'); // the interview's own (default) threshold: nothing widened
    await refused({ note: 'x'.repeat(1001) }, 'accommodations.note');
    await refused({ note: 'a\u0000b' }, 'accommodations.note');
    // An unknown type never reaches the service: the enum refuses it.
    const unknown = await host.request(SET, { id: candidateId, accommodations: { ignore: ['NAPPING'] } });
    assert.ok(unknown.errors?.[0]?.message.includes('NAPPING'), JSON.stringify(unknown.errors));
    assert.notEqual(unknown.errors?.[0]?.extensions?.code, 'INTERNAL_SERVER_ERROR');
    // Refused input changes nothing; at invite time the same checks hold.
    const bad = await host.request(INVITE, { id: interviewId, email: 'grace@example.com', accommodations: { lookAwayDegrees: 20 } });
    assert.equal(bad.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');

    // Another org, or no such candidate: not found.
    assert.equal((await other.error(SET, { id: candidateId, accommodations: { allowAudio: true } })).code, 'NOT_FOUND');
    assert.equal((await host.error(SET, { id: 'not-a-uuid', accommodations: {} })).code, 'NOT_FOUND');
    assert.equal((await host.error(SET, { id: crypto.randomUUID(), accommodations: {} })).code, 'NOT_FOUND');
    const foreign = await other.request(`query($id: ID!) { interview(id: $id) { candidates { edges { node { ${ACCOMMODATIONS} } } } } }`, { id: interviewId });
    assert.equal(foreign.errors?.[0]?.extensions?.code, 'NOT_FOUND');

    // An empty set clears them; each change is audited, before → after.
    await host.ok(SET, { id: candidateId, accommodations: {} });
    const audit = await server.platform.orm.em
      .getConnection()
      .execute<{ actor_type: string; metadata: any }[]>(
        "select actor_type, metadata from audit_log where action = 'candidate.accommodations.set' and target_id = ? order by at",
        [candidateId],
      );
    assert.equal(audit.length, 2);
    assert.equal(audit[0]!.actor_type, 'host');
    assert.equal(audit[0]!.metadata.before, null);
    assert.deepEqual(audit[0]!.metadata.after, { ignore: ['TAB_SWITCH', 'LOOKING_AWAY'], lookAwayDegrees: 45, allowAudio: false, note: 'Uses a head pointer.' });
    assert.deepEqual(audit[1]!.metadata.before, audit[0]!.metadata.after);
    assert.equal(audit[1]!.metadata.after, null);

    // Allowed while LIVE; once the interview has ended, the review decides.
    await host.ok(START_INTERVIEW, { id: interviewId });
    await host.ok(SET, { id: candidateId, accommodations: { allowAudio: true } });
    await host.ok(END_INTERVIEW, { id: interviewId });
    const ended = await host.request(SET, { id: candidateId, accommodations: {} });
    assert.equal(ended.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal(ended.errors?.[0]?.extensions?.reason, 'INTERVIEW_ENDED');
  });

  it('applies them where severity is decided: covered events are kept as accommodated evidence, raise no alert and do not count in the report', async () => {
    const interviewId = await interview();
    const screenReader = await invite(interviewId);
    const wideAngle = await invite(interviewId, { lookAwayDegrees: 50 });
    await host.ok(START_INTERVIEW, { id: interviewId });
    const watcher = connect(server.url, host.token);
    const alerts = watcher.subscribe(ALERTS, { id: interviewId });
    await watcher.request('{ __typename }'); // the subscription is registered
    /** The next LiveAlert (joins come on the same subscription). */
    const nextAlert = async () => {
      for (;;) {
        const event = (await alerts.next()).data.interviewEvents;
        if (event.__typename === 'LiveAlert') return event;
      }
    };
    const page = connect(server.url, screenReader.token);
    const widePage = connect(server.url, wideAngle.token);
    try {
      const { joinSession } = await page.request(JOIN, { device: DEVICE });
      assert.deepEqual(joinSession.rules, { lookAwayDegrees: 35, audioPolicy: 'FLAG' });
      // Set while the interview runs: the session already in memory judges the next events by them.
      await host.ok(SET, { id: screenReader.candidateId, accommodations: { ignore: ['LOOKING_AWAY'], allowAudio: true, note: 'Uses a screen reader' } });
      const rejoined = (await page.request(JOIN, { device: DEVICE })).joinSession;
      assert.equal(rejoined.id, joinSession.id);
      assert.deepEqual(rejoined.rules, { lookAwayDegrees: 35, audioPolicy: 'IGNORE' }, 'the page stops monitoring audio');
      const { candidateSession } = await host.withToken('').ok(SESSION, { token: screenReader.token });
      assert.deepEqual(candidateSession.accommodations, { ignore: ['LOOKING_AWAY'], lookAwayDegrees: null, allowAudio: true, note: null }, 'the note stays with reviewers');

      const at = (ms: number) => new Date(Date.now() + ms).toISOString();
      const covered = await page.request(REPORT_EVENTS, {
        sessionId: joinSession.id,
        events: [
          ...[0, 1, 2, 3].map((seq) => ({ seq, type: 'LOOKING_AWAY', durationMs: 2000, occurredAt: at(seq * 100), metadata: { yaw: 60, pitch: 0 } })),
          { seq: 4, type: 'AUDIO_DETECTED', durationMs: 1500, occurredAt: at(0) },
        ],
      });
      assert.deepEqual(covered.reportEvents, { accepted: [0, 1, 2, 3, 4], rejected: [] });
      await page.request(REPORT_EVENTS, { sessionId: joinSession.id, events: [{ seq: 5, type: 'TAB_SWITCH', durationMs: 1000, occurredAt: at(0) }] });
      // Alerts are published in commit order: the first is the tab switch, nothing came before it.
      const first = await nextAlert();
      assert.equal(first.type, 'TAB_SWITCH', JSON.stringify(first));

      // The angle is checked again on the server: within the candidate's 50° it is covered, beyond it it counts.
      const wide = (await widePage.request(JOIN, { device: DEVICE })).joinSession;
      assert.deepEqual(wide.rules, { lookAwayDegrees: 50, audioPolicy: 'FLAG' }, 'the page looks with the wider angle');
      await widePage.request(REPORT_EVENTS, {
        sessionId: wide.id,
        events: [{ seq: 0, type: 'LOOKING_AWAY', durationMs: 2000, occurredAt: at(0), metadata: { yaw: 40, pitch: 3 } }],
      });
      await widePage.request(REPORT_EVENTS, {
        sessionId: wide.id,
        events: [{ seq: 1, type: 'LOOKING_AWAY', durationMs: 2000, occurredAt: at(0), metadata: { yaw: 62, pitch: 3 } }],
      });
      const second = await nextAlert();
      assert.equal(second.type, 'LOOKING_AWAY');
      assert.equal(second.count, 1, 'only the look beyond 50° is alerted');
    } finally {
      alerts.stop();
      await Promise.all([page.dispose(), widePage.dispose(), watcher.dispose()]);
    }

    const { interview: stored } = await host.ok(VIOLATIONS, { id: interviewId });
    const violationsOf = (candidateId: string) =>
      stored.candidates.edges
        .find((e: any) => e.node.id === candidateId)
        .node.sessions.flatMap((s: any) => s.violations.edges.map((e: any) => e.node))
        .sort((a: any, b: any) => a.type.localeCompare(b.type) || Number(a.accommodated) - Number(b.accommodated));
    assert.deepEqual(violationsOf(screenReader.candidateId), [
      { type: 'AUDIO_DETECTED', count: 1, accommodated: true },
      { type: 'LOOKING_AWAY', count: 4, accommodated: true },
      { type: 'TAB_SWITCH', count: 1, accommodated: false },
    ]);
    assert.deepEqual(violationsOf(wideAngle.candidateId), [
      { type: 'LOOKING_AWAY', count: 1, accommodated: false },
      { type: 'LOOKING_AWAY', count: 1, accommodated: true },
    ]);

    await host.ok(END_INTERVIEW, { id: interviewId });
    const report = await until("the screen reader user's report", async () => {
      const { report: r } = await host.ok(REPORT, { id: interviewId, candidateId: screenReader.candidateId });
      return r.status === 'READY' && r;
    });
    assert.deepEqual(report.accommodations, { ignore: ['LOOKING_AWAY'], lookAwayDegrees: null, allowAudio: true, note: 'Uses a screen reader' });
    assert.deepEqual(report.accommodated, [
      { type: 'AUDIO_DETECTED', count: 1, sentence: 'AUDIO_DETECTED ×1 accommodated: not counted' },
      { type: 'LOOKING_AWAY', count: 4, sentence: 'LOOKING_AWAY ×4 accommodated: not counted' },
    ]);
    assert.ok(report.scores.integrity < 100, 'the tab switch counts');
    assert.deepEqual([...new Set(report.explanation.filter((c: any) => c.points > 0).map((c: any) => c.type))], ['TAB_SWITCH'], JSON.stringify(report.explanation));

    const text = await pdfText(new Uint8Array(await (await fetch(report.downloadUrl)).arrayBuffer()));
    assert.match(text, /Accommodations/);
    assert.match(text, /Looking away from the screen is recorded but not counted \(LOOKING_AWAY\)/);
    assert.match(text, /Speaking aloud is allowed/);
    assert.match(text, /Note: Uses a screen reader/);
    assert.match(text, /LOOKING_AWAY ×4 accommodated: not counted/);
    assert.match(text, /Accommodated/, 'the violation table marks the covered rows');
  });

  it('proctor candidates accommodate and invite take the same flags (--json)', async () => {
    const interviewId = await interview();
    const env = { PROCTOR_SERVER: server.url, PROCTOR_TOKEN: host.token! };
    const invited = await runProctor(
      ['candidates', 'invite', '--interview', interviewId, '--name', 'Grace', '--email', 'grace@example.com', '--ignore', 'TAB_SWITCH', '--allow-audio', '--json'],
      env,
    );
    assert.equal(invited.code, 0, invited.stderr);
    const { candidate } = JSON.parse(invited.stdout);
    assert.deepEqual(candidate.accommodations, { ignore: ['TAB_SWITCH'], lookAwayDegrees: null, allowAudio: true, note: null });

    const set = await runProctor(['candidates', 'accommodate', candidate.id, '--ignore', 'LOOKING_AWAY', '--look-away-degrees', '45', '--note', 'Head pointer'], env);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /Looking away from the screen is recorded but not counted \(LOOKING_AWAY\)/);
    assert.match(set.stdout, /Looking away counts only beyond 45°/);
    assert.match(set.stdout, /Note: Head pointer/);

    const refused = await runProctor(['candidates', 'accommodate', candidate.id, '--look-away-degrees', '20', '--json'], env);
    assert.notEqual(refused.code, 0);
    assert.match(squash(refused.stdout + refused.stderr), /above the interview's own threshold/);

    const cleared = await runProctor(['candidates', 'accommodate', candidate.id, '--clear', '--json'], env);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.deepEqual(JSON.parse(cleared.stdout).accommodations, { ignore: [], lookAwayDegrees: null, allowAudio: false, note: null });
  });
});
