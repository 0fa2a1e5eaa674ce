// The embedded database under concurrent writes, beside the PostgreSQL server as the baseline:
// against a real `proctor up`, ten hosts start an interview each and keep an interviewEvents
// subscription open, then N inviteCandidate mutations go over HTTP, 16 at a time. Prints how many
// were answered (every one must be), how long the burst took, latency percentiles, and how long
// the server then took to stop. Usage: node bench/embedded.ts [--invites 500] [--only embedded|postgres] [--budget S]
import { parseArgs } from 'node:util';
import { GraphQLClient } from '../test/support/graphql.ts';
import { embeddedStorage, probeServer, serverStorage, type Storage } from './support/dataset.ts';
import { GraphQLWsSocket } from './support/graphql-ws-client.ts';
import { summarizeLatencies } from './support/latency.ts';
import { asLimit, CALL_TIMEOUT_MS } from './support/limits.ts';
import { freePort, ProctorProcess } from './support/proctor-process.ts';
import { progress, table } from './support/report.ts';
import { budgetMs, runBench } from './support/run.ts';

const HOSTS = 10;
const LANES = 16;
/** An invitation not answered by then counts as lost (the bug this bench guards against). */
const ANSWER_DEADLINE_MS = 20_000;
const ADMIN_URL = process.env.PROCTOR_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const { values } = parseArgs({ options: { invites: { type: 'string', default: '500' }, only: { type: 'string' }, budget: { type: 'string', default: '600' } } });
const invites = Number(values.invites);

interface Run {
  database: string;
  answered: number;
  failed: number;
  lost: number;
  seconds: number;
  latencies: number[];
  stopSeconds: number;
  note: string;
}

runBench(budgetMs(values.budget), async (signal) => {
  const runs: Run[] = [];
  for (const database of ['embedded', 'postgres'] as const) {
    if (values.only && values.only !== database) continue;
    if (database === 'postgres') {
      const server = await probeServer(ADMIN_URL);
      if ('unreachable' in server) {
        progress(`postgres: skipped, ${server.unreachable}`);
        continue;
      }
    }
    const storage = database === 'embedded' ? await embeddedStorage() : await serverStorage(ADMIN_URL);
    try {
      runs.push(await burst(database, storage, signal));
    } finally {
      await storage.drop();
    }
  }
  const baseline = runs.find((run) => run.database === 'postgres');
  console.log(`\nInvitation burst: ${HOSTS} hosts with live subscriptions, ${invites} inviteCandidate over HTTP, ${LANES} at a time`);
  for (const line of table(
    1,
    ['database', 'answered', 'errors', 'lost', 'wall', 'vs postgres', 'p50', 'p99', 'max', 'stop', 'note'],
    runs.map((run) => {
      const latency = summarizeLatencies(run.latencies);
      return [
        run.database,
        `${run.answered}/${invites}`,
        String(run.failed),
        String(run.lost),
        `${run.seconds.toFixed(1)} s`,
        baseline ? `${(run.seconds / baseline.seconds).toFixed(2)}×` : 'n/a',
        `${latency.p50Ms.toFixed(0)} ms`,
        `${latency.p99Ms.toFixed(0)} ms`,
        `${latency.maxMs.toFixed(0)} ms`,
        `${run.stopSeconds.toFixed(1)} s`,
        run.note,
      ];
    }),
  ))
    console.log(line);
});

async function burst(database: string, storage: Storage, signal: AbortSignal): Promise<Run> {
  progress(`${database}: starting proctor up`);
  const server = await ProctorProcess.start({ port: await freePort(), dataDir: storage.dataDir, databaseUrl: storage.databaseUrl }, signal);
  const sockets: GraphQLWsSocket[] = [];
  let result: Omit<Run, 'stopSeconds'>;
  try {
    const anonymous = new GraphQLClient(server.url, undefined, { timeoutMs: CALL_TIMEOUT_MS });
    const hosts: { client: GraphQLClient; interviewId: string }[] = [];
    for (let i = 0; i < HOSTS; i++) {
      const signedUp = await anonymous.ok('mutation($email: String!) { signUp(email: $email, password: "benchmark password", orgName: "Burst") { token } }', {
        email: `burst-${i}-${Date.now()}@example.com`,
      });
      const client = anonymous.withToken(signedUp.signUp.token);
      const created = await client.ok('mutation { createInterview(input: { title: "Burst" }) { interview { id } } }');
      const interviewId = created.createInterview.interview.id as string;
      await client.ok('mutation($id: ID!) { startInterview(id: $id) { status } }', { id: interviewId });
      const socket = await GraphQLWsSocket.open(`${server.url.replace(/^http/, 'ws')}/graphql`, `Bearer ${signedUp.signUp.token}`);
      socket.subscribe(
        'subscription($id: ID!) { interviewEvents(interviewId: $id) { __typename } }',
        { id: interviewId },
        () => {},
        () => {},
      );
      sockets.push(socket);
      hosts.push({ client: anonymous.withToken(signedUp.signUp.token), interviewId });
    }
    progress(`${database}: ${HOSTS} hosts watching; sending ${invites} invitations`);
    const latencies: number[] = [];
    let next = 0;
    let failed = 0;
    let lost = 0;
    let firstError = '';
    const started = performance.now();
    const lane = async (lane: number) => {
      const client = new GraphQLClient(server.url, undefined, { timeoutMs: ANSWER_DEADLINE_MS });
      while (next < invites && !signal.aborted) {
        const i = next++;
        const host = hosts[i % HOSTS]!;
        const sent = performance.now();
        try {
          const result = await client
            .withToken(host.client.token!)
            .request('mutation($id: ID!, $name: String!, $email: String!) { inviteCandidate(interviewId: $id, name: $name, email: $email) { token } }', {
              id: host.interviewId,
              name: `Candidate ${i}`,
              email: `candidate-${lane}-${i}@example.com`,
            });
          latencies.push(performance.now() - sent);
          if (result.errors?.length) {
            failed++;
            firstError ||= result.errors[0]!.extensions?.code ?? result.errors[0]!.message;
          }
        } catch (error) {
          if (!asLimit(error)) throw error;
          lost++;
        }
      }
    };
    await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i)));
    const seconds = (performance.now() - started) / 1000;
    result = { database, answered: latencies.length - failed, failed, lost, seconds, latencies, note: firstError ? `first error: ${firstError}` : '' };
  } finally {
    await Promise.all(sockets.map((socket) => socket.close()));
  }
  // Stopped right after the burst, as an operator would: SIGTERM, graceful, within its timeout.
  const stopping = performance.now();
  await server.stop();
  const stopSeconds = (performance.now() - stopping) / 1000;
  progress(`${database}: server stopped in ${stopSeconds.toFixed(1)} s`);
  return { ...result, stopSeconds };
}
