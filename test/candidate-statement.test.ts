// Candidate statements over GraphQL on a real server and database: the org's switch (off by
// default, audited), the link only after completeReview, its expiry (a token signed with the
// server's key and a past expiry: no waiting), one statement only, hostile text kept verbatim,
// the host's view, a new report version whose PDF prints it, and org isolation.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenSigner } from '../server/auth/jwt.ts';
import { renderReportPdf } from '../server/reports/pdf.ts';
import { buildReportInput } from '../server/reports/report-input.ts';
import { verifySignature } from '../server/webhooks/signature.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { runInterview, waitForReport } from './support/interview-flow.ts';
import { pdfText } from './support/pdf.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { runProctor } from './support/proctor-cli.ts';
import { until } from './support/until.ts';
import { startReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

const JWT_SECRET = 'statement-test-secret-0123456789abcdef';
const HOSTILE = `<script>alert("pwned")</script><img src=x onerror="alert(1)"> & 'quotes' — I had the allowed docs open.`;

const SET_STATEMENTS = 'mutation($enabled: Boolean!) { setOrgCandidateStatements(enabled: $enabled) { id candidateStatements } }';
const ORG = 'query { me { org { id candidateStatements } } }';
const VIOLATIONS = `query($id: ID!) { interview(id: $id) { candidates { edges { node { id sessions { violations { edges { node { id type } } } } } } } } }`;
const REVIEW_VIOLATION = 'mutation($id: ID!, $verdict: ReviewVerdict!) { reviewViolation(id: $id, verdict: $verdict) { id } }';
const COMPLETE_REVIEW = `mutation($interviewId: ID!, $candidateId: ID!, $decision: ReviewDecision!) {
  completeReview(interviewId: $interviewId, candidateId: $candidateId, decision: $decision) { id } }`;
const LINK = `mutation($interviewId: ID!, $candidateId: ID!, $hours: Int) {
  candidateStatementLink(interviewId: $interviewId, candidateId: $candidateId, expiresInHours: $hours) { url expiresAt } }`;
const PAGE = `query($token: String!) { candidateStatementPage(token: $token) { interviewTitle candidateName decision decidedAt expiresAt
  flags { type severity occurredAt durationMs count verdict } statement { text submittedAt } } }`;
const SUBMIT = 'mutation($token: String!, $text: String!) { submitCandidateStatement(token: $token, text: $text) { statement { text submittedAt } } }';
const HOST_VIEW = `query($id: ID!) { interview(id: $id) { candidates { edges { node { id review { decision statement { text submittedAt } } } } } } }`;
const REPORT = 'query($id: ID!) { report(interviewId: $id) { status version downloadUrl review { decision statement { text submittedAt } } } }';
const VERSIONS = 'query($id: ID!) { reportVersions(interviewId: $id) { version review { decision statement { text } } } }';

describe(`candidate statements (${describeDatabase()})`, () => {
  let server: TestPlatform;
  let host: GraphQLClient;
  let other: GraphQLClient;
  let receiver: WebhookReceiver;
  const anonymous = () => new GraphQLClient(server.url);

  before(async () => {
    server = await startTestPlatform({ jwtSecret: JWT_SECRET }, { PROCTOR_WEBHOOK_ALLOW_PRIVATE: 'true', PROCTOR_JOB_RETRY_DELAY: '100ms' });
    receiver = await startReceiver();
    ({ client: host } = await signUp(new GraphQLClient(server.url)));
    ({ client: other } = await signUp(new GraphQLClient(server.url), 'Other org'));
  });
  after(async () => {
    await receiver?.close();
    await server?.stop();
  });

  /** An ended interview with two flags, one dismissed, its review completed when asked. */
  async function reviewedInterview({ complete = true } = {}) {
    const { interviewId, candidateId } = await runInterview(server.url, host, {
      title: 'Statement loop',
      events: [
        { type: 'TAB_SWITCH', durationMs: 2000 },
        { type: 'FACE_MISSING', durationMs: 1500, afterMs: 300 },
      ],
    });
    await waitForReport(host, interviewId);
    const { interview } = await host.ok(VIOLATIONS, { id: interviewId });
    const violations = interview.candidates.edges[0].node.sessions.flatMap((s: any) => s.violations.edges.map((e: any) => e.node));
    const tab = violations.find((v: any) => v.type === 'TAB_SWITCH');
    await host.ok(REVIEW_VIOLATION, { id: tab.id, verdict: 'DISMISSED' });
    if (complete) await host.ok(COMPLETE_REVIEW, { interviewId, candidateId, decision: 'CONCERNS' });
    return { interviewId, candidateId };
  }

  async function auditRows(action: string, targetId: string) {
    return server.platform.orm.em
      .getConnection()
      .execute<{ actor_type: string; actor_id: string; metadata: any }[]>('select actor_type, actor_id, metadata from audit_log where action = ? and target_id = ? order by at', [
        action,
        targetId,
      ]);
  }

  const tokenOf = (url: string) => decodeURIComponent(new URL(url).pathname.replace(/^\/s\//, ''));

  it('is off by default, comes only after completeReview, and takes one statement that the host sees and a new report version prints', async () => {
    const { interviewId, candidateId } = await reviewedInterview({ complete: false });

    // Off by default: a clear refusal, whatever the review's state.
    assert.equal((await host.ok(ORG)).me.org.candidateStatements, false);
    let refused = await host.request(LINK, { interviewId, candidateId });
    assert.equal(refused.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal(refused.errors?.[0]?.extensions?.reason, 'CANDIDATE_STATEMENTS_OFF');

    // Turning it on is an admin's act, and audited.
    const { createApiToken } = await host.ok('mutation { createApiToken(name: "ats") { token } }');
    assert.equal((await host.withToken(createApiToken.token).error(SET_STATEMENTS, { enabled: true })).code, 'FORBIDDEN');
    const { setOrgCandidateStatements: org } = await host.ok(SET_STATEMENTS, { enabled: true });
    assert.equal(org.candidateStatements, true);
    const [switched] = await auditRows('org.candidateStatements', org.id);
    assert.deepEqual(switched!.metadata, { from: false, to: true });

    // Not before the review is complete.
    refused = await host.request(LINK, { interviewId, candidateId });
    assert.equal(refused.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal(refused.errors?.[0]?.extensions?.reason, 'REVIEW_NOT_COMPLETE');
    await host.ok(COMPLETE_REVIEW, { interviewId, candidateId, decision: 'CONCERNS' });
    await until('report version 2', async () => {
      const { report } = await host.ok(REPORT, { id: interviewId });
      return report.status === 'READY' && report.version === 2;
    });

    // Bounded lifetime: 7 days unless asked, 1 hour to 30 days.
    for (const hours of [0, -1, 721]) assert.equal((await host.error(LINK, { interviewId, candidateId, hours })).code, 'BAD_USER_INPUT', `${hours} h`);
    const before = Date.now();
    const link = (await host.ok(LINK, { interviewId, candidateId })).candidateStatementLink;
    const after = Date.now();
    assert.ok(link.url.startsWith(`${server.url}/s/`), link.url);
    const expiresAt = Date.parse(link.expiresAt);
    const WEEK = 7 * 24 * 3_600_000;
    assert.ok(expiresAt >= Math.floor((before + WEEK) / 1000) * 1000 && expiresAt <= after + WEEK, link.expiresAt);
    const [linkAudit] = await auditRows('candidate.statement.link', candidateId);
    assert.equal(linkAudit!.metadata.interviewId, interviewId);
    const token = tokenOf(link.url);

    // What the candidate sees: the flags with the verdicts and the decision, in plain fields (no reviewer notes).
    const { candidateStatementPage: page } = await anonymous().ok(PAGE, { token });
    assert.equal(page.interviewTitle, 'Statement loop');
    assert.equal(page.candidateName, 'Ada Lovelace');
    assert.equal(page.decision, 'CONCERNS');
    assert.equal(page.statement, null);
    assert.deepEqual(page.flags.map((f: any) => [f.type, f.verdict]).sort(), [
      ['FACE_MISSING', null],
      ['TAB_SWITCH', 'DISMISSED'],
    ]);
    assert.equal(page.expiresAt, link.expiresAt);

    // Bad statements: a code, nothing stored.
    for (const [text, pattern] of [
      ['   ', /text: must not be empty/],
      ['x'.repeat(4001), /text: must be at most 4000 characters/],
      ['nul \u0000 here', /text: contains a NUL/],
    ] as const) {
      const error = await anonymous().error(SUBMIT, { token, text });
      assert.equal(error.code, 'BAD_USER_INPUT');
      assert.match(error.message, pattern);
    }
    assert.equal((await anonymous().error(SUBMIT, { token: `${token.slice(0, -2)}xx`, text: 'forged' })).code, 'UNAUTHENTICATED');
    // A host login is no statement link, nor the other way round.
    assert.equal((await anonymous().error(SUBMIT, { token: host.token!, text: 'as the host' })).code, 'UNAUTHENTICATED');
    assert.equal((await anonymous().withToken(token).error(HOST_VIEW, { id: interviewId })).code, 'UNAUTHENTICATED');

    // One statement, hostile text kept verbatim; the second is refused with a clear code.
    const { createWebhook } = await host.ok('mutation($url: String!) { createWebhook(url: $url, events: [REVIEW_STATEMENT]) { secret } }', { url: receiver.url });
    const submitted = (await anonymous().ok(SUBMIT, { token, text: `  ${HOSTILE}\n` })).submitCandidateStatement;
    assert.equal(submitted.statement.text, HOSTILE);
    const second = await anonymous().request(SUBMIT, { token, text: 'Another try' });
    assert.equal(second.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal(second.errors?.[0]?.extensions?.reason, 'STATEMENT_SUBMITTED');
    // A fresh link does not open a second one either.
    const again = tokenOf((await host.ok(LINK, { interviewId, candidateId, hours: 1 })).candidateStatementLink.url);
    assert.equal((await anonymous().ok(PAGE, { token: again })).candidateStatementPage.statement.text, HOSTILE);
    assert.equal((await anonymous().error(SUBMIT, { token: again, text: 'Third' })).code, 'CONFLICT');
    const [submitAudit, ...more] = await auditRows('candidate.statement.submit', candidateId);
    assert.equal(more.length, 0);
    assert.equal(submitAudit!.actor_type, 'candidate');
    assert.equal(submitAudit!.actor_id, candidateId);

    // review.statement, signed and delivered by the job runner.
    const [request] = await receiver.waitFor(1);
    assert.equal(request!.headers['x-proctor-event'], 'review.statement');
    assert.ok(verifySignature(createWebhook.secret, request!.body, String(request!.headers['x-proctor-signature'])));
    assert.deepEqual(JSON.parse(request!.body).data, { interviewId, candidateId, decision: 'CONCERNS', text: HOSTILE, submittedAt: submitted.statement.submittedAt });

    // The host sees it with the review.
    const { interview } = await host.ok(HOST_VIEW, { id: interviewId });
    const review = interview.candidates.edges[0].node.review;
    assert.equal(review.statement.text, HOSTILE);
    assert.equal(review.statement.submittedAt, submitted.statement.submittedAt);

    // The report is made again: version 3 carries the statement and its PDF prints it, as text.
    const report = await until('report version 3', async () => {
      const latest = (await host.ok(REPORT, { id: interviewId })).report;
      return latest.status === 'READY' && latest.version === 3 && latest;
    });
    assert.equal(report.review.decision, 'CONCERNS');
    assert.equal(report.review.statement.text, HOSTILE);
    const { reportVersions } = await host.ok(VERSIONS, { id: interviewId });
    assert.deepEqual(
      reportVersions.map((v: any) => [v.version, v.review?.statement?.text ?? null]),
      [
        [1, null],
        [2, null],
        [3, HOSTILE],
      ],
    );
    const text = await pdfText(new Uint8Array(await (await fetch(report.downloadUrl)).arrayBuffer()));
    assert.match(text, /Candidate's statement/);
    assert.match(text, /Written by the candidate after the review/);
    assert.ok(text.replace(/\s+/g, ' ').includes('<script>alert("pwned")</script><img src=x onerror="alert(1)"> & \'quotes\''), text);
  });

  it('expires, stops when the org turns statements off, and stays inside its org', async () => {
    const { interviewId, candidateId } = await reviewedInterview();
    await host.ok(SET_STATEMENTS, { enabled: true });
    const claims = { candidateId, interviewId, orgId: (await host.ok(ORG)).me.org.id };

    // Expired: a link signed with the server's key whose time is up. Both fields refuse it, nothing is stored.
    const expired = await new TokenSigner(JWT_SECRET).signStatement(claims, new Date(Date.now() - 60_000));
    for (const [query, variables] of [
      [PAGE, { token: expired }],
      [SUBMIT, { token: expired, text: 'Too late' }],
    ] as const) {
      const answer = await anonymous().request(query, variables);
      assert.equal(answer.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
      assert.equal(answer.errors?.[0]?.extensions?.reason, 'EXPIRED');
      assert.match(String(answer.errors?.[0]?.message), /This statement link has expired/);
    }
    const current = await new TokenSigner(JWT_SECRET).signStatement(claims, new Date(Date.now() + 3_600_000));

    // Another org: NOT_FOUND on the link for this org's candidate, also through an interview of its own, even with statements on.
    await other.ok(SET_STATEMENTS, { enabled: true });
    assert.equal((await other.error(LINK, { interviewId, candidateId })).code, 'NOT_FOUND');
    const mine = await runInterview(server.url, other, {});
    assert.equal((await other.error(LINK, { interviewId: mine.interviewId, candidateId })).code, 'NOT_FOUND');
    assert.equal((await other.error(LINK, { interviewId: 'nope', candidateId })).code, 'NOT_FOUND');
    assert.equal((await other.error(HOST_VIEW, { id: interviewId })).code, 'NOT_FOUND');
    assert.equal((await other.error(REPORT, { id: interviewId })).code, 'NOT_FOUND');
    assert.equal((await other.error(VERSIONS, { id: interviewId })).code, 'NOT_FOUND');
    // Its switch is its own: turning it off there leaves this org's links working.
    await other.ok(SET_STATEMENTS, { enabled: false });
    assert.equal((await host.ok(ORG)).me.org.candidateStatements, true);
    // A link names its org: one claiming another org for this candidate reaches nothing.
    const otherOrgId = (await other.ok(ORG)).me.org.id;
    const crossed = await new TokenSigner(JWT_SECRET).signStatement({ ...claims, orgId: otherOrgId }, new Date(Date.now() + 3_600_000));
    assert.equal((await anonymous().error(PAGE, { token: crossed })).code, 'NOT_FOUND');

    // Turned off: the links stop working (a clear code), and none are made.
    await host.ok(SET_STATEMENTS, { enabled: false });
    const off = await anonymous().request(SUBMIT, { token: current, text: 'Now?' });
    assert.equal(off.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal(off.errors?.[0]?.extensions?.reason, 'CANDIDATE_STATEMENTS_OFF');
    assert.equal((await host.error(LINK, { interviewId, candidateId })).code, 'FORBIDDEN');
    const { interview } = await host.ok(HOST_VIEW, { id: interviewId });
    assert.equal(interview.candidates.edges[0].node.review.statement, null, 'nothing was stored');
  });

  it('makes a link from the CLI, and proctor report shows the statement', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'proctor-statement-cli-'));
    const env = { PROCTOR_SERVER: server.url, PROCTOR_TOKEN: host.token!, PROCTOR_CONFIG_DIR: dir };
    try {
      await host.ok(SET_STATEMENTS, { enabled: true });
      const { interviewId, candidateId } = await reviewedInterview();
      const json = await runProctor(['review', 'statement-link', interviewId, '--candidate', candidateId, '--hours', '48', '--json'], env);
      assert.equal(json.code, 0, json.stderr);
      const link = JSON.parse(json.stdout);
      assert.ok(link.url.startsWith(`${server.url}/s/`), link.url);
      const human = await runProctor(['review', 'statement-link', interviewId, '--candidate', candidateId], env);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /Statement link for the candidate \(valid until .* UTC\):\n\s*http/);
      const bad = await runProctor(['review', 'statement-link', interviewId, '--candidate', candidateId, '--hours', '1000'], env);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr + bad.stdout, /expiresInHours: must be a whole number from 1 to 720/);

      await anonymous().ok(SUBMIT, { token: tokenOf(link.url), text: 'Line one.\nLine two <b>not bold</b>.' });
      await until('the report version with the statement', async () => (await host.ok(REPORT, { id: interviewId })).report.review?.statement);
      const shown = await runProctor(['report', interviewId], env);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /Candidate's statement \(\S+Z\):\n {2}Line one\.\n {2}Line two <b>not bold<\/b>\./);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // Last: reverting the migration forgets the statements and switches of the tests before.
  it('reverts and reapplies its migration: every org is off again afterwards (migration)', async () => {
    await host.ok(SET_STATEMENTS, { enabled: true });
    const { migrator } = server.platform.orm;
    const name = 'Migration20261202120000_candidate_statements';
    await migrator.down({ migrations: [name] });
    try {
      const [org] = await server.platform.orm.em.getConnection().execute('select * from orgs limit 1');
      assert.ok(org && !('candidate_statements' in org), 'the previous schema has no switch');
    } finally {
      await migrator.up({ migrations: [name] });
    }
    assert.equal((await host.ok(ORG)).me.org.candidateStatements, false);
  });
});

describe("the report's candidate statement section", () => {
  it('prints what the standard fonts can, marks the rest "?", and says the API has it verbatim', async () => {
    const at = new Date('2026-12-02T10:00:00Z');
    const text = `Café — “quoted” 1 < 2 & 3\nEmoji 😀, 漢字, שלום, zero\u200bwidth, \u202Eoverride, ${'long'.repeat(60)}`;
    const input = buildReportInput({
      reportId: '00000000-0000-4000-8000-000000000001',
      interview: { id: 'interview', title: 'Statement', startedAt: new Date(at.getTime() - 600_000), endedAt: at },
      candidate: { id: 'candidate', name: 'Ada Lovelace', email: 'ada@example.com' },
      events: [],
      violations: [],
      media: {},
      review: { decision: 'CLEARED', note: null, reviewer: { kind: 'host', id: 'host', name: 'host@example.com' }, at, statement: { text, submittedAt: at } },
    });
    const printed = (await pdfText(await renderReportPdf(input))).replace(/\s+/g, ' ');
    assert.match(printed, /Candidate's statement Written by the candidate after the review, 2026-12-02 10:00 UTC:/);
    assert.ok(printed.includes('Café — “quoted” 1 < 2 & 3 Emoji ?, ??, ????, zero?width, ?override,'), printed);
    assert.ok(printed.replace(/ /g, '').includes('long'.repeat(60)), 'a long word wraps, nothing is cut');
    assert.match(printed, /Characters the report font cannot print are shown as "\?"; the API \(review\.statement\) has the statement exactly as written\./);
  });
});
