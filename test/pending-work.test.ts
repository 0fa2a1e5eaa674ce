// Acknowledged work is never lost, on a real server and database with real Agenda jobs and a real
// webhook receiver: when enqueueing a job fails (the job store unreachable for a moment) or the
// database refuses a webhook delivery, the report and the webhooks still happen once it recovers.
import assert from 'node:assert/strict';
import type { JobName, JobRunner } from '../server/jobs/job-runner.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { runInterview, waitForReport } from './support/interview-flow.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { until } from './support/until.ts';
import { startReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

const CREATE_WEBHOOK = 'mutation($url: String!, $events: [WebhookEvent!]!) { createWebhook(url: $url, events: $events) { webhook { id } } }';

/**
 * Fault injection: the next enqueue of `name` throws, as when the job store cannot be reached
 * (the services enqueue through this very runner).
 */
function failNextEnqueue(jobs: JobRunner, name: JobName): { failed: () => boolean } {
  const enqueue = jobs.enqueue.bind(jobs);
  let failed = false;
  jobs.enqueue = async (job, data) => {
    if (job === name && !failed) {
      failed = true;
      jobs.enqueue = enqueue;
      throw new Error('the job store is unreachable (injected)');
    }
    return enqueue(job, data);
  };
  return { failed: () => failed };
}

describe(`pending work survives failed enqueues (${describeDatabase()})`, () => {
  let server: TestPlatform;
  let host: GraphQLClient;
  const receivers: WebhookReceiver[] = [];

  before(async () => {
    // A short sweep; retries far enough apart that a test can lift a fault between two of them.
    server = await startTestPlatform(
      { pendingSweepIntervalMs: 1000 },
      {
        PROCTOR_WEBHOOK_ALLOW_PRIVATE: 'true',
        PROCTOR_JOB_RETRY_DELAY: '2s',
        PROCTOR_JOB_ATTEMPTS: '5',
      },
    );
    ({ client: host } = await signUp(new GraphQLClient(server.url)));
  });
  after(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await server?.stop();
  });

  async function subscribed(events: string[]): Promise<WebhookReceiver> {
    const receiver = await startReceiver();
    receivers.push(receiver);
    await host.ok(CREATE_WEBHOOK, { url: receiver.url, events });
    return receiver;
  }

  const received = (receiver: WebhookReceiver, event: string, interviewId: string) =>
    receiver.received.filter((r) => {
      const body = JSON.parse(r.body);
      return body.event === event && body.data.interviewId === interviewId;
    });

  it('makes the report of an interview whose end could not enqueue it', async () => {
    const receiver = await subscribed(['INTERVIEW_COMPLETED', 'REPORT_READY']);
    const fault = failNextEnqueue(server.platform.jobs, 'generate-report');
    const { interviewId } = await runInterview(server.url, host, { events: [{ type: 'TAB_SWITCH', durationMs: 300 }] });
    assert.ok(fault.failed(), 'the end tried to enqueue the report and failed');
    const report = await waitForReport(host, interviewId);
    assert.equal(report.status, 'READY');
    await until(
      'both webhooks to arrive',
      async () => received(receiver, 'interview.completed', interviewId).length === 1 && received(receiver, 'report.ready', interviewId).length === 1,
    );
  });

  it('delivers a webhook that was recorded but could not be enqueued', async () => {
    const receiver = await subscribed(['INTERVIEW_COMPLETED']);
    const fault = failNextEnqueue(server.platform.jobs, 'deliver-webhook');
    const { interviewId } = await runInterview(server.url, host, {});
    assert.ok(fault.failed(), 'the end tried to enqueue the delivery and failed');
    await until('interview.completed to arrive', async () => received(receiver, 'interview.completed', interviewId).length === 1);
    await waitForReport(host, interviewId);
  });

  it('sends report.ready for a report whose webhook the database refused once', async () => {
    const receiver = await subscribed(['REPORT_READY']);
    const sql = server.platform.orm.em.getConnection();
    // The database refuses report.ready deliveries until the fault is lifted.
    await sql.execute(`alter table webhook_deliveries add constraint test_refuses_report_ready check (event <> 'report.ready') not valid`);
    let lifted = false;
    try {
      const { interviewId } = await runInterview(server.url, host, {});
      const failedOnce = await until('the report to fail an attempt', async () => {
        const { report } = await host.ok('query($id: ID!) { report(interviewId: $id) { status error } }', { id: interviewId });
        return report.error || report.status !== 'PENDING' ? report : undefined;
      });
      await sql.execute('alter table webhook_deliveries drop constraint test_refuses_report_ready');
      lifted = true;
      // Not READY without its webhook: the attempt failed as a whole and is retried.
      assert.equal(failedOnce.status, 'PENDING', JSON.stringify(failedOnce));
      assert.match(failedOnce.error, /attempt 1 of 5/);
      const report = await waitForReport(host, interviewId);
      assert.equal(report.status, 'READY');
      const [ready] = await until('report.ready to arrive', async () => {
        const requests = received(receiver, 'report.ready', interviewId);
        return requests.length > 0 ? requests : undefined;
      });
      assert.equal(JSON.parse(ready!.body).data.reportId, report.id);
    } finally {
      if (!lifted) await sql.execute('alter table webhook_deliveries drop constraint test_refuses_report_ready');
    }
  });
});
