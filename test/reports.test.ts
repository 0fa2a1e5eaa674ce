// Reports end to end on a real server and database: ending an interview runs the Agenda job,
// which scores it and renders the PDF; GraphQL, the signed download route, the ReportReady live
// event and signed webhooks deliver it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReportService } from '../server/reports/reports.ts';
import { verifySignature } from '../server/webhooks/signature.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { REPORT_FIELDS, runInterview, waitForReport } from './support/interview-flow.ts';
import { connect, subscribed } from './support/live.ts';
import { pdfPages, pdfText, renderedPages } from './support/pdf.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { makeJpegs } from './support/snapshots.ts';
import { until } from './support/until.ts';
import { startReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';
import { END_INTERVIEW } from './support/host-operations.ts';

const TEST_ENV = { PROCTOR_WEBHOOK_ALLOW_PRIVATE: 'true', PROCTOR_JOB_RETRY_DELAY: '100ms', PROCTOR_JOB_ATTEMPTS: '3' };
const CREATE_WEBHOOK = 'mutation($url: String!, $events: [WebhookEvent!]!) { createWebhook(url: $url, events: $events) { secret webhook { id url events } } }';
const DELIVERIES = 'query { webhooks { id deliveries { edges { node { event status attempts lastStatusCode lastError } } } } }';

describe(`reports (${describeDatabase()})`, () => {
  let server: TestPlatform;
  let host: GraphQLClient;
  const receivers: WebhookReceiver[] = [];

  before(async () => {
    server = await startTestPlatform({}, TEST_ENV);
    ({ client: host } = await signUp(new GraphQLClient(server.url)));
  });
  after(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await server?.stop();
  });

  async function receiver(failFirst: number[] = []) {
    const started = await startReceiver(failFirst);
    receivers.push(started);
    return started;
  }

  it('scores an ended interview, renders the PDF and delivers it by signed URL, live event and signed webhooks', async () => {
    const hook = await receiver();
    const { createWebhook } = await host.ok(CREATE_WEBHOOK, { url: hook.url, events: ['INTERVIEW_COMPLETED', 'REPORT_READY'] });
    assert.match(createWebhook.secret, /^whsec_/);

    const { interviewId, candidateId } = await runInterview(server.url, host, {
      title: 'Staff engineer loop',
      events: [
        { type: 'TAB_SWITCH', durationMs: 300 },
        { type: 'FACE_MISSING', durationMs: 400, afterMs: 100 },
        { type: 'LOOKING_AWAY', durationMs: 200, afterMs: 200 },
      ],
      end: false,
    });
    // Evidence as the candidate page stores it (a JPEG in the snapshots tree, linked from the
    // violation), and a recording as the SFU names it.
    const dataDir = server.env.PROCTOR_DATA_DIR!;
    const [jpeg] = await makeJpegs(join(dataDir, 'tmp-jpegs'), 1);
    const snapshotDir = join(dataDir, 'snapshots', interviewId);
    await mkdir(snapshotDir, { recursive: true });
    const snapshotName = `${randomUUID()}.jpg`;
    await writeFile(join(snapshotDir, snapshotName), await (await import('node:fs/promises')).readFile(jpeg!));
    await server.platform.orm.em
      .getConnection()
      .execute(`update violations set snapshot_url = ? where interview_id = ? and type = 'FACE_MISSING'`, [`/snapshots/${interviewId}/${snapshotName}`, interviewId]);
    // What the SFU leaves behind (test/sfu.test.ts produces these for real): a recording and the
    // candidate's stream-quality summary.
    const recordingPath = join(dataDir, 'recordings', interviewId, `${candidateId}-${Date.now() - 60_000}.webm`);
    await mkdir(join(dataDir, 'recordings', interviewId), { recursive: true });
    await writeFile(recordingPath, Buffer.alloc(2048));
    const sql = server.platform.orm.em.getConnection();
    await sql.execute('insert into recordings (id, interview_id, candidate_id, path, started_at, ended_at) values (?, ?, ?, ?, now(), now())', [
      randomUUID(),
      interviewId,
      candidateId,
      recordingPath,
    ]);
    await sql.execute(
      `insert into stream_quality_summaries (id, interview_id, candidate_id, samples, avg_bitrate_kbps, avg_packet_loss_pct, avg_jitter_ms, avg_rtt_ms, min_score, first_at, last_at)
       values (?, ?, ?, 30, 812.4, 0.3, 4.2, 0, 9, now(), now())`,
      [randomUUID(), interviewId, candidateId],
    );

    const live = connect(server.url, host.token);
    try {
      const events = live.subscribe('subscription($id: ID!) { interviewEvents(interviewId: $id) { __typename ... on ReportReady { candidateId reportId } } }', {
        id: interviewId,
      });
      await subscribed(server.platform.services.interviewEvents, interviewId);
      await host.ok(END_INTERVIEW, { id: interviewId });
      let ready;
      do ready = (await events.next(30_000)).data.interviewEvents;
      while (ready.__typename !== 'ReportReady');
      assert.equal(ready.candidateId, candidateId);

      const report = await waitForReport(host, interviewId);
      assert.equal(report.id, ready.reportId);
      assert.equal(report.status, 'READY');
      assert.equal(report.attempts, 1);
      assert.equal(report.error, null);
      assert.match(report.violationLogSha256, /^[0-9a-f]{64}$/);
      assert.ok(report.scores.integrity < 100 && report.scores.focus <= 100, JSON.stringify(report.scores));
      assert.match(report.summary, /one brief tab switch, one brief face issue, one brief look away/);
      assert.deepEqual(report.counts.map((c: { type: string }) => c.type).sort(), ['FACE_MISSING', 'LOOKING_AWAY', 'TAB_SWITCH']);
      const faceRow = report.timeline.find((row: { category: string }) => row.category === 'FACE_MISSING');
      assert.equal(faceRow.bars.length, 1);
      assert.equal(faceRow.bars[0].durationMs, 400);
      assert.equal(report.timeline.length, 6);

      // The signed link works without credentials; a tampered one does not.
      const download = await fetch(report.downloadUrl);
      assert.equal(download.status, 200);
      assert.equal(download.headers.get('content-type'), 'application/pdf');
      const pdf = new Uint8Array(await download.arrayBuffer());
      assert.equal(pdf.length, report.pdfBytes);
      const tampered = await fetch(report.downloadUrl.replace(/expires=(\d+)/, (_: string, n: string) => `expires=${Number(n) + 60}`));
      assert.equal(tampered.status, 401);
      assert.equal((await tampered.json()).errors[0].extensions.code, 'UNAUTHENTICATED');
      assert.equal((await fetch(`${server.url}/reports/${report.id}.pdf`)).status, 401);
      const withToken = await fetch(`${server.url}/reports/${report.id}.pdf`, { headers: { authorization: `Bearer ${host.token}` } });
      assert.equal(withToken.status, 200);
      await withToken.arrayBuffer();
      const other = (await signUp(new GraphQLClient(server.url), 'Other org')).client;
      assert.equal((await fetch(`${server.url}/reports/${report.id}.pdf`, { headers: { authorization: `Bearer ${other.token}` } })).status, 404);

      const text = await pdfText(pdf);
      for (const expected of [
        'Interview integrity report',
        'Ada Lovelace',
        'Staff engineer loop',
        interviewId,
        candidateId,
        report.id,
        report.violationLogSha256,
        'Tab switch',
        'Face missing',
        'Timeline',
        'Multiple faces',
        'Media lost',
        `recordings/${interviewId}/${candidateId}-`,
      ]) {
        assert.ok(text.includes(expected), `PDF text lacks "${expected}"`);
      }
      assert.match(text, /Camera \+ microphone\s+30\s+812 kbps\s+0\.3 %\s+4 ms\s+0 ms\s+9 \/ 10/);
      assert.doesNotMatch(text, /Evidence\s+None recorded/); // the linked snapshot is shown
      const pages = await pdfPages(pdf);
      assert.ok(pages >= 1 && pages <= 3, `pages: ${pages}`);
      assert.equal(await renderedPages(pdf), pages);

      // Both events reached the receiver, signed with the webhook's secret.
      const requests = await hook.waitFor(2);
      const bodies = requests.map((r) => JSON.parse(r.body));
      assert.deepEqual(bodies.map((b) => b.event).sort(), ['interview.completed', 'report.ready']);
      for (const request of requests) {
        assert.ok(verifySignature(createWebhook.secret, request.body, String(request.headers['x-proctor-signature'])), 'signature verifies');
        assert.ok(!verifySignature('whsec_wrong', request.body, String(request.headers['x-proctor-signature'])));
        assert.equal(request.headers['content-type'], 'application/json');
      }
      const readyBody = bodies.find((b) => b.event === 'report.ready');
      assert.equal(readyBody.data.reportId, report.id);
      assert.equal(readyBody.data.violationLogSha256, report.violationLogSha256);
      assert.equal((await fetch(readyBody.data.downloadUrl)).status, 200);
    } finally {
      await live.dispose();
    }
  });

  it('regenerating a report is idempotent: same digest, not rendered again', async () => {
    const { interviewId } = await runInterview(server.url, host, { events: [{ type: 'TAB_SWITCH', durationMs: 500 }] });
    const first = await waitForReport(host, interviewId);
    await server.platform.jobs.enqueue('generate-report', { reportId: first.id });
    await until(
      'the report to be generated twice',
      async () => (await host.ok(`query($id: ID!) { report(interviewId: $id) { attempts } }`, { id: interviewId })).report.attempts === 2,
      20_000,
    );
    const again = await waitForReport(host, interviewId);
    assert.equal(again.status, 'READY');
    assert.equal(again.violationLogSha256, first.violationLogSha256);
    assert.equal(again.generatedAt, first.generatedAt);
  });

  it('keeps the error while retrying and marks the report FAILED once the attempts are spent, serving the last rendered PDF all along', async () => {
    const { interviewId } = await runInterview(server.url, host, {});
    const ready = await waitForReport(host, interviewId);
    const renderedPdf = Buffer.from(await (await fetch(ready.downloadUrl)).arrayBuffer());
    const connection = server.platform.orm.em.getConnection();
    // Due a new version, as a completed review or a finished transcript makes it (ReportStore.markForNewVersion).
    await connection.execute(`update reports set status = 'PENDING', attempts = 0 where id = ?`, [ready.id]);
    const pending = (await host.ok(`query($id: ID!) { report(interviewId: $id) { ${REPORT_FIELDS} } }`, { id: interviewId })).report;
    assert.equal(pending.status, 'PENDING');
    assert.deepEqual(Buffer.from(await (await fetch(pending.downloadUrl)).arrayBuffer()), renderedPdf, 'the version being replaced is still served');
    assert.deepEqual(Buffer.from(await (await fetch(ready.downloadUrl)).arrayBuffer()), renderedPdf, 'a link handed out earlier still works');
    // The same service over the same database, with evidence loading that fails (fault injection).
    const broken = new ReportService({
      orm: server.platform.orm,
      signer: undefined as never,
      logger: server.platform.logger,
      interviewEvents: server.platform.services.interviewEvents,
      webhooks: server.platform.services.webhooks,
      dataDir: server.env.PROCTOR_DATA_DIR!,
      attempts: 2,
      downloadUrlTtlMs: 60_000,
      publicUrl: () => undefined,
      loadMedia: async () => {
        throw new Error('snapshot store unreachable');
      },
    });
    await assert.rejects(broken.generate(ready.id), /snapshot store unreachable/);
    let report = (await host.ok(`query($id: ID!) { report(interviewId: $id) { ${REPORT_FIELDS} } }`, { id: interviewId })).report;
    assert.equal(report.status, 'PENDING');
    assert.equal(report.error, 'attempt 1 of 2: snapshot store unreachable');
    await broken.generate(ready.id); // the last attempt records the failure instead of throwing
    report = (await host.ok(`query($id: ID!) { report(interviewId: $id) { ${REPORT_FIELDS} } }`, { id: interviewId })).report;
    assert.equal(report.status, 'FAILED');
    assert.equal(report.error, 'attempt 2 of 2: snapshot store unreachable');
    assert.deepEqual(Buffer.from(await (await fetch(report.downloadUrl)).arrayBuffer()), renderedPdf, 'a failed new version leaves the last rendered one');
  });

  it('retries a failing webhook with backoff and logs every attempt', async () => {
    const flaky = await receiver([503]);
    const { createWebhook } = await host.ok(CREATE_WEBHOOK, { url: flaky.url, events: ['INTERVIEW_COMPLETED'] });
    await runInterview(server.url, host, {});
    const requests = await flaky.waitFor(2);
    assert.deepEqual(
      requests.map((r) => r.status),
      [503, 200],
    );
    const ids = new Set(requests.map((r) => r.headers['x-proctor-delivery']));
    assert.equal(ids.size, 1, 'one delivery, retried');
    for (const r of requests) assert.ok(verifySignature(createWebhook.secret, r.body, String(r.headers['x-proctor-signature'])));
    await until(
      'the delivery log to show one retried delivery',
      async () => {
        const hooks = (await host.ok(DELIVERIES)).webhooks;
        const log = hooks.find((h: { id: string }) => h.id === createWebhook.webhook.id).deliveries.edges.map((e: { node: unknown }) => e.node);
        return log.length === 1 && log[0].status === 'DELIVERED' && log[0].attempts === 2 && log[0].lastStatusCode === 200 && log[0].lastError === null;
      },
      20_000,
    );
  });

  it('validates webhook input and deletes webhooks', async () => {
    assert.equal((await host.error(CREATE_WEBHOOK, { url: 'ftp://example.com/x', events: ['REPORT_READY'] })).code, 'BAD_USER_INPUT');
    assert.match((await host.error(CREATE_WEBHOOK, { url: 'https://user:pw@example.com/x', events: ['REPORT_READY'] })).message, /credentials/);
    assert.match((await host.error(CREATE_WEBHOOK, { url: 'https://example.com/x', events: [] })).message, /at least one/);
    assert.equal((await host.error(CREATE_WEBHOOK, { url: 'not a url', events: ['REPORT_READY'] })).code, 'BAD_USER_INPUT');
    const { createWebhook } = await host.ok(CREATE_WEBHOOK, { url: 'https://ats.example.com/proctor', events: ['REPORT_READY'] });
    assert.deepEqual(createWebhook.webhook.events, ['REPORT_READY']);
    await host.ok('mutation($id: ID!) { deleteWebhook(id: $id) { id } }', { id: createWebhook.webhook.id });
    assert.equal((await host.error('mutation($id: ID!) { deleteWebhook(id: $id) { id } }', { id: createWebhook.webhook.id })).code, 'NOT_FOUND');
  });

  it('answers report() for interviews without one with a clear error', async () => {
    const { interviewId } = await runInterview(server.url, host, { end: false });
    assert.match(
      (await host.error('query($id: ID!) { report(interviewId: $id) { id } }', { id: interviewId })).message,
      /reports are made when an interview with candidates ends/,
    );
    assert.equal((await host.error('query($id: ID!) { report(interviewId: $id) { id } }', { id: randomUUID() })).code, 'NOT_FOUND');
    assert.equal((await host.error('query { report(interviewId: "nope") { id } }')).code, 'NOT_FOUND');
  });
});
