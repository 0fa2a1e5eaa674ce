// Every query and mutation has a server-side deadline. The database has shorter bounds of its own
// (tested in embedded-database.test.ts), so this drives the wait that is left: the SFU worker.
// The test platform's mediasoup worker is frozen with SIGSTOP; requests that need it must come
// back with DEADLINE_EXCEEDED while the rest of the server keeps answering, and once the worker
// runs again the same requests succeed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { loadConfig } from '../server/config.ts';
import { GraphQLClient, signUp, uniqueEmail } from './support/graphql.ts';
import { SocketPool } from './support/live.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { CAPABILITIES, CREATE_TRANSPORT, refusal } from './support/sfu-signaling.ts';

const OPERATION_TIMEOUT_MS = 2_500;

/** The pid of the newest mediasoup worker this process started (the test platform runs in-process). */
function newestWorkerPid(): number {
  return Number(execFileSync('pgrep', ['-n', '-P', String(process.pid), '-f', 'mediasoup-worker'], { encoding: 'utf8' }).trim());
}

describe(`Operation deadline (${describeDatabase()})`, function () {
  this.timeout(90_000);
  let server: TestPlatform;
  const sockets = new SocketPool(() => server.url);
  let frozenWorker: number | undefined;

  before(async () => {
    server = await startTestPlatform({ databaseTimeoutMs: 1_000, operationTimeoutMs: OPERATION_TIMEOUT_MS });
  });
  after(async () => {
    if (frozenWorker) process.kill(frozenWorker, 'SIGCONT');
    await sockets.closeAll();
    await server?.stop();
  });

  async function scheduledInterview(host: GraphQLClient): Promise<string> {
    const created = await host.ok('mutation { createInterview(input: { title: "Deadline" }) { interview { id } } }');
    const interviewId: string = created.createInterview.interview.id;
    await host.ok('mutation($id: ID!, $email: String!) { inviteCandidate(interviewId: $id, name: "Ada", email: $email) { token } }', {
      id: interviewId,
      email: uniqueEmail('ada'),
    });
    return interviewId;
  }
  /** Starting an interview opens its media room on the worker, in the background. */
  const start = (host: GraphQLClient, interviewId: string) => host.ok('mutation($id: ID!) { startInterview(id: $id) { status } }', { id: interviewId });

  it('answers DEADLINE_EXCEEDED for a query or mutation stuck on a frozen SFU worker, keeps serving others, and recovers', async () => {
    const { client: host, email } = await signUp(new GraphQLClient(server.url));
    const [opened, unopened] = [await scheduledInterview(host), await scheduledInterview(host)];
    await start(host, opened);
    const socket = sockets.open(host.token);
    await socket.request(CAPABILITIES, { interviewId: opened });

    frozenWorker = newestWorkerPid();
    process.kill(frozenWorker, 'SIGSTOP');
    // This room cannot open now: everything that needs it waits on the frozen worker.
    await start(host, unopened);

    // A query changed nothing: the caller may send it again.
    const query = await refusal(socket, CAPABILITIES, { interviewId: unopened });
    assert.equal(query.extensions.code, 'DEADLINE_EXCEEDED');
    assert.equal(query.extensions.retriable, true);
    assert.match(query.message, /gave up waiting for this query after 2\.5 s/);

    // A mutation may still complete after its caller was answered: it is not called retriable.
    const mutation = await refusal(socket, CREATE_TRANSPORT, { interviewId: opened, direction: 'SEND' });
    assert.equal(mutation.extensions.code, 'DEADLINE_EXCEEDED');
    assert.equal(mutation.extensions.retriable, false);
    assert.equal(mutation.extensions.outcome, 'UNKNOWN');

    // What does not need the worker is answered meanwhile, over HTTP and over the same socket.
    assert.equal((await host.ok('{ me { host { email } } }')).me.host.email, email);
    assert.equal((await socket.request('query($id: ID!) { interview(id: $id) { status } }', { id: unopened })).interview.status, 'LIVE');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /proctor_graphql_errors_total\{code="DEADLINE_EXCEEDED"\} 2/);

    process.kill(frozenWorker, 'SIGCONT');
    frozenWorker = undefined;
    assert.ok((await socket.request(CAPABILITIES, { interviewId: unopened })).routerRtpCapabilities.codecs.length > 0);
    assert.ok((await socket.request(CREATE_TRANSPORT, { interviewId: opened, direction: 'RECV' })).createTransport.id);
  });

  it('refuses a deadline no longer than the database timeout, which must fail first', () => {
    assert.throws(
      () => loadConfig({ PROCTOR_DATABASE_TIMEOUT: '20s', PROCTOR_OPERATION_TIMEOUT: '20s' }),
      /PROCTOR_OPERATION_TIMEOUT must be longer than PROCTOR_DATABASE_TIMEOUT/,
    );
    assert.equal(loadConfig({ PROCTOR_DATABASE_TIMEOUT: '20s' }).operationTimeoutMs, 40_000);
  });
});
