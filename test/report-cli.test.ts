// `proctor report` and `proctor worker` as real processes against a real server.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { runInterview, waitForReport } from './support/interview-flow.ts';
import { describeDatabase, freshStorage, startTestPlatform, USING_SERVER, type TestPlatform } from './support/platform.ts';
import { runProctor, spawnProctor, UpProcess } from './support/proctor-cli.ts';
import { STOP_MARGIN_MS } from '../cli/signals.ts';
import type { HangingServer } from './support/hanging-server.ts';
import { HANGING_WEBHOOK_ENV, startHangingWebhookJob } from './support/job-in-flight.ts';
import { within } from './support/until.ts';

describe(`proctor report (${describeDatabase()})`, () => {
  let server: TestPlatform;
  let host: GraphQLClient;
  let env: Record<string, string>;
  let dir: string;

  before(async () => {
    server = await startTestPlatform();
    ({ client: host } = await signUp(new GraphQLClient(server.url)));
    dir = await mkdtemp(join(tmpdir(), 'proctor-report-cli-'));
    env = { PROCTOR_SERVER: server.url, PROCTOR_TOKEN: host.token!, PROCTOR_CONFIG_DIR: dir };
  });
  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('waits for a pending report and saves the PDF (--wait --out --json)', async () => {
    const { interviewId } = await runInterview(server.url, host, { events: [{ type: 'TAB_SWITCH', durationMs: 200 }] });
    const out = join(dir, 'report.pdf');
    const result = await runProctor(['report', interviewId, '--out', out, '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.status, 'READY');
    assert.equal(report.savedTo, out);
    const pdf = await readFile(out);
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    assert.equal(pdf.length, report.pdfBytes);

    const human = await runProctor(['report', interviewId], env);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /: READY/);
    assert.match(human.stdout, /Scores: composite \d+, integrity \d+, focus \d+/);
    assert.match(human.stdout, /TAB_SWITCH\s+1/);
  });

  it('exits 4 for an unknown interview and 2 without one', async () => {
    const missing = await runProctor(['report', '00000000-0000-4000-8000-000000000000'], env);
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /not found/);
    assert.equal((await runProctor(['report'], env)).code, 2);
  });
});

describe(`proctor worker (${describeDatabase()})`, () => {
  it('refuses to start without a PostgreSQL server, saying why', async function () {
    if (USING_SERVER) this.skip();
    const storage = await freshStorage();
    try {
      const result = await runProctor(['worker'], storage.env);
      assert.equal(result.code, 1);
      assert.match(result.stderr.replace(/\s+/g, ' '), /needs a PostgreSQL server/);
    } finally {
      await storage.drop();
    }
  });

  it('two workers take every job while `proctor up` only enqueues, each report generated once', async function () {
    this.timeout(120_000); // three processes start on a shared 2-core machine
    if (!USING_SERVER) {
      console.log('      (skipped: workers share a PostgreSQL server; set PROCTOR_TEST_DATABASE_URL)');
      this.skip();
    }
    const storage = await freshStorage();
    const env = { ...storage.env, PROCTOR_RUN_JOBS: 'false' };
    const { up, url } = await UpProcess.started(env);
    const workers = [0, 1].map(() => spawnProctor(['worker', '--json'], storage.env));
    // Listening at once: a worker that fails to start must fail the test, not hang it.
    const ready = workers.map((worker) => {
      worker.stdin.end();
      let stderr = '';
      worker.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      return Promise.race([
        once(createInterface({ input: worker.stdout }), 'line').then(([first]) => first as string),
        once(worker, 'exit').then(([code]) => Promise.reject(new Error(`proctor worker exited with ${code}: ${stderr}`))),
      ]);
    });
    try {
      for (const line of await Promise.all(ready)) assert.match(JSON.parse(line).jobs, /LISTEN\/NOTIFY/);
      const { client } = await signUp(new GraphQLClient(url));
      const interviews = await Promise.all([0, 1, 2, 3].map((i) => runInterview(url, client, { title: `Loop ${i}` })));
      for (const { interviewId } of interviews) {
        const report = await waitForReport(client, interviewId);
        assert.equal(report.status, 'READY');
        assert.equal(report.attempts, 1, 'generated exactly once');
      }
      const exits = workers.map((worker) => {
        const exited = once(worker, 'exit');
        worker.kill('SIGTERM');
        return exited;
      });
      for (const [code] of await Promise.all(exits)) assert.equal(code, 0);
    } finally {
      for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
      await up.stop('SIGTERM');
      await storage.drop();
    }
  });

  it('stops on SIGTERM within PROCTOR_SHUTDOWN_TIMEOUT and the stop margin, with a job in flight', async function () {
    this.timeout(120_000);
    if (!USING_SERVER) {
      console.log('      (skipped: workers share a PostgreSQL server; set PROCTOR_TEST_DATABASE_URL)');
      this.skip();
    }
    const storage = await freshStorage();
    const { up, url } = await UpProcess.started({ ...storage.env, ...HANGING_WEBHOOK_ENV, PROCTOR_RUN_JOBS: 'false' });
    const worker = spawnProctor(['worker'], { ...storage.env, ...HANGING_WEBHOOK_ENV, PROCTOR_SHUTDOWN_TIMEOUT: '1s' });
    worker.stdin.end();
    let stderr = '';
    worker.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = once(worker, 'exit');
    let receiver: HangingServer | undefined;
    try {
      receiver = await Promise.race([startHangingWebhookJob(url), exited.then(([code]) => Promise.reject(new Error(`proctor worker exited with ${code}: ${stderr}`)))]);
      worker.kill('SIGTERM');
      // The requirement, doubled for a busy machine.
      const [code] = await within('proctor worker to stop', exited, 2 * (1000 + STOP_MARGIN_MS));
      assert.equal(code, 0, stderr);
      assert.match(stderr, /Stopping \(SIGTERM\): finishing running jobs…\nStopped/);
    } finally {
      if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
      await receiver?.close();
      await up.stop('SIGTERM');
      await storage.drop();
    }
  });
});
