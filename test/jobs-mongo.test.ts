// Background jobs in MongoDB (PROCTOR_JOBS_URL=mongodb://…). No MongoDB server can run on the CI
// machines, so this runs only when PROCTOR_TEST_MONGODB_URL points at one.
import assert from 'node:assert/strict';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { runInterview, waitForReport } from './support/interview-flow.ts';
import { describeDatabase, startTestPlatform } from './support/platform.ts';

const MONGODB_URL = process.env.PROCTOR_TEST_MONGODB_URL;

describe(`jobs on MongoDB (${describeDatabase()})`, () => {
  it('generates a report with Agenda on the MongoDB backend', async function () {
    if (!MONGODB_URL) {
      console.log('      (skipped: set PROCTOR_TEST_MONGODB_URL=mongodb://… to test the MongoDB job backend)');
      this.skip();
    }
    const server = await startTestPlatform({ jobsUrl: MONGODB_URL });
    try {
      assert.match(server.platform.jobs.describe, /MongoDB/);
      const { client } = await signUp(new GraphQLClient(server.url));
      const { interviewId } = await runInterview(server.url, client, { events: [{ type: 'TAB_SWITCH', durationMs: 100 }] });
      assert.equal((await waitForReport(client, interviewId)).status, 'READY');
    } finally {
      await server.stop();
    }
  });

  it('reports an unreachable MongoDB at start-up instead of hanging', async function () {
    this.timeout(30_000);
    // Nothing listens on port 1: the connection is refused at once (no server needed).
    await assert.rejects(startTestPlatform({ jobsUrl: 'mongodb://127.0.0.1:1/proctor' }), /Cannot reach the jobs MongoDB/);
  });
});
