// Human review over GraphQL on a real server and database: verdicts and decisions (audited, before
// → after), review statuses, org isolation, a new report version with the reviewed scores built by
// the job runner, the explanation of every point, the review.completed webhook and the PDF.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifySignature } from '../server/webhooks/signature.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { END_INTERVIEW } from './support/host-operations.ts';
import { runInterview, waitForReport } from './support/interview-flow.ts';
import { pdfText } from './support/pdf.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { runProctor } from './support/proctor-cli.ts';
import { until } from './support/until.ts';
import { startReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

const TEST_ENV = { PROCTOR_WEBHOOK_ALLOW_PRIVATE: 'true', PROCTOR_JOB_RETRY_DELAY: '100ms' };
const REVIEW = 'review { verdict note reviewer { kind id name } at }';
const VIOLATIONS = `query($id: ID!) { interview(id: $id) { reviewStatus candidates { edges { node { id reviewStatus review { decision note reviewer { name } at }
  sessions { violations { edges { node { id type confidence ${REVIEW} } } } } } } } } }`;
const REVIEW_VIOLATION = `mutation($id: ID!, $verdict: ReviewVerdict!, $note: String) { reviewViolation(id: $id, verdict: $verdict, note: $note) { id type confidence ${REVIEW} } }`;
const COMPLETE_REVIEW = `mutation($interviewId: ID!, $candidateId: ID!, $decision: ReviewDecision!, $note: String) {
  completeReview(interviewId: $interviewId, candidateId: $candidateId, decision: $decision, note: $note) { id reviewStatus review { decision note reviewer { kind name } at } } }`;
const CONTRIBUTION = 'dimension type count seconds points sentence';
const REPORT = `query($id: ID!) { report(interviewId: $id) { id status version reviewStatus violationLogSha256 downloadUrl scores { focus integrity composite }
  reviewedScores { focus integrity composite } explanation { ${CONTRIBUTION} } reviewedExplanation { ${CONTRIBUTION} }
  review { decision note reviewer { name } } verdicts { violationId verdict } } }`;
const VERSIONS = `query($id: ID!) { reportVersions(interviewId: $id) { version violationLogSha256 scores { integrity composite } reviewedScores { integrity composite }
  explanation { dimension points } verdicts { violationId verdict } review { decision } pdfBytes generatedAt } }`;

interface Contribution {
  dimension: 'INTEGRITY' | 'FOCUS' | 'COMPOSITE';
  points: number;
  sentence: string;
}

/** Each dimension's contributions add up to exactly what the score lost. */
function assertExplains(scores: { focus: number; integrity: number; composite: number }, contributions: Contribution[]): void {
  for (const [dimension, value] of [
    ['INTEGRITY', scores.integrity],
    ['FOCUS', scores.focus],
    ['COMPOSITE', scores.composite],
  ] as const) {
    const points = contributions.filter((c) => c.dimension === dimension).reduce((total, c) => total + c.points, 0);
    assert.equal(points, 100 - value, `${dimension}: ${JSON.stringify(contributions)}`);
  }
}

describe(`human review (${describeDatabase()})`, () => {
  let server: TestPlatform;
  let host: GraphQLClient;
  let hostEmail: string;
  let other: GraphQLClient;
  let receiver: WebhookReceiver;

  before(async () => {
    server = await startTestPlatform({}, TEST_ENV);
    ({ client: host, email: hostEmail } = await signUp(new GraphQLClient(server.url)));
    ({ client: other } = await signUp(new GraphQLClient(server.url), 'Other org'));
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver?.close();
    await server?.stop();
  });

  async function violationsOf(interviewId: string) {
    const { interview } = await host.ok(VIOLATIONS, { id: interviewId });
    const candidate = interview.candidates.edges[0].node;
    const violations = candidate.sessions.flatMap((s: any) => s.violations.edges.map((e: any) => e.node));
    return { interview, candidate, violations };
  }

  async function auditRows(action: string, targetId: string) {
    return server.platform.orm.em.getConnection().execute<{ actor_type: string; actor_id: string; at: string; metadata: any }[]>(
      `select actor_type, actor_id, at, metadata from audit_log where action = ? and target_id = ?
         order by at, metadata->'before'->>'verdict' is not null`,
      [action, targetId],
    );
  }

  it('takes verdicts and a decision, audits them, and versions the report with reviewed scores, explained point by point', async () => {
    const { createWebhook } = await host.ok('mutation($url: String!) { createWebhook(url: $url, events: [REVIEW_COMPLETED]) { secret } }', { url: receiver.url });
    const { interviewId, candidateId } = await runInterview(server.url, host, {
      title: 'Reviewed loop',
      events: [
        { type: 'TAB_SWITCH', durationMs: 3000 },
        { type: 'FACE_MISSING', durationMs: 2000, afterMs: 500, confidence: 0.55 },
        { type: 'FACE_MISSING', afterMs: 1500, confidence: 0.92 },
      ],
      end: false,
    });
    const live = await violationsOf(interviewId);
    const tab = live.violations.find((v: any) => v.type === 'TAB_SWITCH');
    const face = live.violations.find((v: any) => v.type === 'FACE_MISSING');
    assert.ok(tab && face, JSON.stringify(live.violations));
    // A violation's confidence is its most confident event's; none when no event carried one.
    assert.equal(face.confidence, 0.92);
    assert.equal(tab.confidence, null);

    // A running interview's flags are not final: no review yet.
    const early = await host.request(REVIEW_VIOLATION, { id: tab.id, verdict: 'DISMISSED' });
    assert.equal(early.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal(early.errors?.[0]?.extensions?.reason, 'INTERVIEW_NOT_ENDED');
    assert.equal((await host.error(COMPLETE_REVIEW, { interviewId, candidateId, decision: 'CLEARED' })).code, 'CONFLICT');

    await host.ok(END_INTERVIEW, { id: interviewId });
    const first = await waitForReport(host, interviewId);
    let { report } = await host.ok(REPORT, { id: interviewId });
    assert.equal(report.version, 1);
    assert.equal(report.reviewStatus, 'PENDING');
    assert.equal(report.reviewedScores, null);
    assert.equal(report.review, null);
    assert.ok(report.scores.integrity < 100, JSON.stringify(report.scores));
    assertExplains(report.scores, report.explanation);
    assert.ok(report.explanation.some((c: Contribution) => c.dimension === 'INTEGRITY' && c.sentence.startsWith('TAB_SWITCH ×1, 3 s total: −')));
    let state = await violationsOf(interviewId);
    assert.equal(state.interview.reviewStatus, 'PENDING');
    assert.equal(state.candidate.reviewStatus, 'PENDING');
    assert.equal(tab.review, null);

    // Verdicts: the first starts the review; changing one's mind is audited before → after.
    const confirmedTab = (await host.ok(REVIEW_VIOLATION, { id: tab.id, verdict: 'CONFIRMED' })).reviewViolation;
    assert.equal(confirmedTab.review.verdict, 'CONFIRMED');
    assert.equal(confirmedTab.review.note, null);
    assert.equal(confirmedTab.review.reviewer.name, hostEmail);
    assert.equal(confirmedTab.review.reviewer.kind, 'host');
    assert.equal(confirmedTab.confidence, null);
    state = await violationsOf(interviewId);
    assert.equal(state.candidate.reviewStatus, 'IN_REVIEW');
    assert.equal(state.interview.reviewStatus, 'IN_REVIEW');
    const dismissedTab = (await host.ok(REVIEW_VIOLATION, { id: tab.id, verdict: 'DISMISSED', note: '  The candidate opened the allowed docs tab.  ' })).reviewViolation;
    assert.equal(dismissedTab.review.verdict, 'DISMISSED');
    assert.equal(dismissedTab.review.note, 'The candidate opened the allowed docs tab.');
    assert.equal((await host.ok(REVIEW_VIOLATION, { id: face.id, verdict: 'CONFIRMED', note: 'Left the desk' })).reviewViolation.confidence, 0.92);
    const verdictAudit = await auditRows('violation.review', tab.id);
    assert.equal(verdictAudit.length, 2);
    assert.deepEqual(
      verdictAudit.map((row) => [row.metadata.before, row.metadata.after]),
      [
        [
          { verdict: null, note: null },
          { verdict: 'CONFIRMED', note: null },
        ],
        [
          { verdict: 'CONFIRMED', note: null },
          { verdict: 'DISMISSED', note: 'The candidate opened the allowed docs tab.' },
        ],
      ],
    );
    assert.ok(verdictAudit.every((row) => row.actor_type === 'host' && row.at && row.metadata.candidateId === candidateId));

    // The decision: once, audited, and it sends the report back for a new version.
    const completed = (await host.ok(COMPLETE_REVIEW, { interviewId, candidateId, decision: 'CONCERNS', note: 'Face away for a while; tab switch explained' })).completeReview;
    assert.equal(completed.reviewStatus, 'DONE');
    assert.equal(completed.review.decision, 'CONCERNS');
    assert.equal(completed.review.reviewer.name, hostEmail);
    state = await violationsOf(interviewId);
    assert.equal(state.interview.reviewStatus, 'DONE');
    assert.equal(state.candidate.review.decision, 'CONCERNS');
    const [decisionAudit] = await auditRows('candidate.review.complete', candidateId);
    assert.deepEqual(decisionAudit!.metadata.before, { reviewStatus: 'IN_REVIEW', decision: null, note: null });
    assert.deepEqual(decisionAudit!.metadata.after, { reviewStatus: 'DONE', decision: 'CONCERNS', note: 'Face away for a while; tab switch explained' });
    assert.deepEqual(decisionAudit!.metadata.verdicts, { confirmed: 1, dismissed: 1, unreviewed: 0 });
    const again = await host.request(COMPLETE_REVIEW, { interviewId, candidateId, decision: 'CLEARED' });
    assert.equal(again.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.equal(again.errors?.[0]?.extensions?.reason, 'REVIEW_COMPLETE');
    assert.equal((await host.error(REVIEW_VIOLATION, { id: face.id, verdict: 'DISMISSED' })).code, 'CONFLICT');

    // The job runner renders version 2 from the verdicts: a different digest, reviewed scores above the automatic ones.
    report = await until('report version 2', async () => {
      const latest = (await host.ok(REPORT, { id: interviewId })).report;
      return latest.status === 'READY' && latest.version === 2 && latest;
    });
    assert.notEqual(report.violationLogSha256, first.violationLogSha256);
    assert.equal(report.reviewStatus, 'DONE');
    assert.equal(report.review.decision, 'CONCERNS');
    assert.deepEqual(
      report.verdicts.sort((a: any, b: any) => a.verdict.localeCompare(b.verdict)),
      [
        { violationId: face.id, verdict: 'CONFIRMED' },
        { violationId: tab.id, verdict: 'DISMISSED' },
      ],
    );
    assert.deepEqual(report.scores, first.scores, 'the automatic scores are kept');
    assert.ok(report.reviewedScores.integrity > report.scores.integrity, JSON.stringify([report.scores, report.reviewedScores]));
    assert.ok(report.reviewedScores.composite > report.scores.composite);
    assertExplains(report.scores, report.explanation);
    assertExplains(report.reviewedScores, report.reviewedExplanation);
    assert.ok(!report.reviewedExplanation.some((c: { type: string }) => c.type === 'TAB_SWITCH'), 'a dismissed flag costs nothing');

    const { reportVersions } = await host.ok(VERSIONS, { id: interviewId });
    assert.deepEqual(
      reportVersions.map((v: any) => v.version),
      [1, 2],
    );
    assert.equal(reportVersions[0].violationLogSha256, first.violationLogSha256);
    assert.equal(reportVersions[1].violationLogSha256, report.violationLogSha256);
    assert.deepEqual(reportVersions[0].verdicts, []);
    assert.equal(reportVersions[0].reviewedScores, null);
    assert.equal(reportVersions[1].review.decision, 'CONCERNS');
    assert.equal(reportVersions[1].verdicts.length, 2);
    assert.ok(reportVersions.every((v: any) => v.pdfBytes > 0 && v.explanation.length > 0));

    // review.completed, signed and delivered by the job runner.
    const [request] = await receiver.waitFor(1);
    assert.equal(request!.headers['x-proctor-event'], 'review.completed');
    assert.ok(verifySignature(createWebhook.secret, request!.body, String(request!.headers['x-proctor-signature'])));
    const body = JSON.parse(request!.body);
    assert.equal(body.event, 'review.completed');
    assert.deepEqual(
      { ...body.data, completedAt: undefined },
      {
        interviewId,
        candidateId,
        decision: 'CONCERNS',
        note: 'Face away for a while; tab switch explained',
        reviewer: hostEmail,
        completedAt: undefined,
        verdicts: { confirmed: 1, dismissed: 1, unreviewed: 0 },
      },
    );

    // The PDF: decision, both scores, the dismissed flag, and the explanation.
    const pdf = new Uint8Array(await (await fetch(report.downloadUrl)).arrayBuffer());
    const text = await pdfText(pdf);
    assert.match(text, /Decision: CONCERNS/);
    assert.match(text, new RegExp(`Composite\\s+${report.scores.composite}\\s+${report.reviewedScores.composite}`));
    assert.match(text, /1 flag confirmed, 1 dismissed/);
    assert.match(text, /Dismissed: Tab switch at/);
    assert.match(text, /Score explanation/);
    for (const c of [...report.explanation, ...report.reviewedExplanation].filter((c: Contribution) => c.points > 0)) {
      assert.ok(text.includes(c.sentence.replaceAll('−', '-')), `PDF lacks "${c.sentence}"`);
    }
  });

  it('keeps every new field and mutation to the org, and refuses bad input with a code', async () => {
    const { interviewId, candidateId } = await runInterview(server.url, host, { events: [{ type: 'TAB_SWITCH', durationMs: 1000 }] });
    await waitForReport(host, interviewId);
    const [violation] = (await violationsOf(interviewId)).violations;

    // Another org sees none of it.
    assert.equal((await other.error(REVIEW_VIOLATION, { id: violation.id, verdict: 'DISMISSED' })).code, 'NOT_FOUND');
    assert.equal((await other.error(COMPLETE_REVIEW, { interviewId, candidateId, decision: 'REJECTED' })).code, 'NOT_FOUND');
    assert.equal((await other.error(REPORT, { id: interviewId })).code, 'NOT_FOUND');
    assert.equal((await other.error(VERSIONS, { id: interviewId })).code, 'NOT_FOUND');
    assert.equal((await other.error(VIOLATIONS, { id: interviewId })).code, 'NOT_FOUND');
    // Nor can it reach this org's candidate through an interview of its own.
    const mine = await runInterview(server.url, other, {});
    assert.equal((await other.error(COMPLETE_REVIEW, { interviewId: mine.interviewId, candidateId, decision: 'REJECTED' })).code, 'NOT_FOUND');
    assert.equal((await auditRows('violation.review', violation.id)).length, 0);
    assert.equal((await violationsOf(interviewId)).candidate.reviewStatus, 'PENDING');

    // Bad input, each with a code and nothing stored.
    const bad = async (query: string, variables: Record<string, unknown>, code: string, pattern?: RegExp) => {
      const error = await host.error(query, variables);
      assert.equal(error.code, code, `${JSON.stringify(variables)}: ${error.message}`);
      if (pattern) assert.match(error.message, pattern);
    };
    await bad(REVIEW_VIOLATION, { id: violation.id, verdict: 'MAYBE' }, 'BAD_USER_INPUT');
    await bad(REVIEW_VIOLATION, { id: violation.id, verdict: 'DISMISSED', note: 'x'.repeat(2001) }, 'BAD_USER_INPUT', /note: must be at most 2000 characters/);
    await bad(REVIEW_VIOLATION, { id: violation.id, verdict: 'DISMISSED', note: 'nul \u0000 here' }, 'BAD_USER_INPUT', /note: contains a NUL/);
    await bad(REVIEW_VIOLATION, { id: 'not-a-uuid', verdict: 'DISMISSED' }, 'NOT_FOUND');
    await bad(REVIEW_VIOLATION, { id: '00000000-0000-4000-8000-000000000000', verdict: 'DISMISSED' }, 'NOT_FOUND');
    await bad(COMPLETE_REVIEW, { interviewId, candidateId, decision: 'PROMOTED' }, 'BAD_USER_INPUT');
    await bad(COMPLETE_REVIEW, { interviewId, candidateId: 'nope', decision: 'CLEARED' }, 'NOT_FOUND');
    await bad(COMPLETE_REVIEW, { interviewId: mine.interviewId, candidateId, decision: 'CLEARED' }, 'NOT_FOUND');
    await bad(COMPLETE_REVIEW, { interviewId, candidateId, decision: 'CLEARED', note: 'y'.repeat(2001) }, 'BAD_USER_INPUT', /note/);
    assert.equal((await violationsOf(interviewId)).candidate.reviewStatus, 'PENDING');

    // An empty note is no note; a decision alone (no verdicts) still makes a new version.
    const done = (await host.ok(COMPLETE_REVIEW, { interviewId, candidateId, decision: 'CLEARED', note: '   ' })).completeReview;
    assert.equal(done.review.note, null);
    const report = await until('report version 2', async () => {
      const latest = (await host.ok(REPORT, { id: interviewId })).report;
      return latest.status === 'READY' && latest.version === 2 && latest;
    });
    assert.equal(report.review.decision, 'CLEARED');
    assert.deepEqual(report.reviewedScores, report.scores, 'nothing dismissed: the reviewed scores are the automatic ones');
  });

  it('reviews from the CLI: proctor violations review, proctor review complete, and proctor report shows the decision and the explanation', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'proctor-review-cli-'));
    const env = { PROCTOR_SERVER: server.url, PROCTOR_TOKEN: host.token!, PROCTOR_CONFIG_DIR: dir };
    try {
      const { interviewId, candidateId } = await runInterview(server.url, host, { events: [{ type: 'TAB_SWITCH', durationMs: 2000 }] });
      await waitForReport(host, interviewId);
      const [violation] = (await violationsOf(interviewId)).violations;

      const before = await runProctor(['report', interviewId], env);
      assert.equal(before.code, 0, before.stderr);
      assert.match(before.stdout, /Review: PENDING/);
      assert.match(before.stdout, /Points lost:\n\s*SCORE\s+POINTS\s+TYPE/);
      assert.match(before.stdout, /integrity\s+−\d+\s+TAB_SWITCH\s+1\s+2/);

      const verdict = await runProctor(['violations', 'review', violation.id, '--verdict', 'dismissed', '--note', 'Allowed docs tab', '--json'], env);
      assert.equal(verdict.code, 0, verdict.stderr);
      assert.equal(JSON.parse(verdict.stdout).review.verdict, 'DISMISSED');
      const badVerdict = await runProctor(['violations', 'review', violation.id, '--verdict', 'maybe'], env);
      assert.equal(badVerdict.code, 2, badVerdict.stderr);

      const human = await runProctor(['review', 'complete', interviewId, '--candidate', candidateId, '--decision', 'cleared', '--note', 'Explained'], env);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, new RegExp(`Review of Ada Lovelace DONE: CLEARED by ${hostEmail.replace(/[.+]/g, '\\$&')}`));
      const twice = await runProctor(['review', 'complete', interviewId, '--candidate', candidateId, '--decision', 'rejected', '--json'], env);
      assert.notEqual(twice.code, 0);
      assert.match(twice.stderr + twice.stdout, /already complete/);

      const after = await runProctor(['report', interviewId, '--wait', '--json'], env);
      assert.equal(after.code, 0, after.stderr);
      const report = JSON.parse(after.stdout);
      assert.equal(report.reviewStatus, 'DONE');
      assert.equal(report.review.decision, 'CLEARED');
      assert.equal(report.version, 2);
      assert.equal(report.reviewedScores.integrity, 100, 'the only flag was dismissed');
      assert.ok(report.explanation.length > 0 && report.reviewedExplanation.every((c: Contribution) => c.points === 0));
      const shown = await runProctor(['report', interviewId], env);
      assert.match(shown.stdout, /Review: DONE, CLEARED by .* \(Explained\)/);
      assert.match(shown.stdout, /reviewed: composite 100, integrity 100, focus 100/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // Last: reverting the migration forgets the reviews and versions of the tests before.
  it('makes every READY report of before the migration its version 1 (migration)', async () => {
    const { interviewId } = await runInterview(server.url, host, { events: [{ type: 'TAB_SWITCH', durationMs: 500 }] });
    const ready = await waitForReport(host, interviewId);
    const { migrator } = server.platform.orm;
    // Newest first: the later one adds a column to the report_versions this one makes.
    const names = ['Migration20261202154544_transcriptions', 'Migration20261202071435_human_review'];
    for (const name of names) await migrator.down({ migrations: [name] });
    try {
      const [row] = await server.platform.orm.em.getConnection().execute('select * from reports where id = ?', [ready.id]);
      assert.ok(row && !('version' in row), 'the previous schema has no versions');
    } finally {
      for (const name of names.toReversed()) await migrator.up({ migrations: [name] });
    }
    const { report } = await host.ok(REPORT, { id: interviewId });
    assert.equal(report.version, 1);
    assert.equal(report.reviewStatus, 'PENDING');
    assert.deepEqual(report.scores, ready.scores);
    const { reportVersions } = await host.ok(VERSIONS, { id: interviewId });
    assert.equal(reportVersions.length, 1);
    assert.equal(reportVersions[0].violationLogSha256, ready.violationLogSha256);
    assert.deepEqual(reportVersions[0].verdicts, []);
    assert.equal(reportVersions[0].scores.composite, ready.scores.composite);
  });
});
