// The PostgreSQL server stopped under live load: two server processes' worth of Proctor (two
// platforms on one database, so live events cross between them by LISTEN/NOTIFY), hosts watching
// on both, candidates reporting events over graphql-ws and over HTTP on both. The database is
// stopped (`pg_ctl stop -m fast`: every session is terminated, statements in flight fail) for
// 10 s and started again. Clients must get retriable errors with a code (UNAVAILABLE,
// `retriable: true`; 503 for a snapshot upload; close code 1013 for a socket that connects
// meanwhile), never an internal error or a socket closed for good; the servers must
// recover by themselves; and every acknowledged event must be in the database exactly once,
// with candidates re-sending what was not acknowledged under the same seq, as the candidate
// page does.
//
// The database is a private throw-away cluster (test/support/private-cluster.ts), not the shared
// server the rest of the suite uses: stopping that one would fail everyone else's tests.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/log.ts';
import { Platform } from '../server/platform.ts';
import { DEVICE, JOIN_SESSION, REPORT_EVENTS } from './support/candidate-fixtures.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { connect, subscribed, type WsClient } from './support/live.ts';
import { USING_SERVER } from './support/platform.ts';
import { PrivateCluster } from './support/private-cluster.ts';
import { makeJpegs } from './support/snapshots.ts';
import { until, within } from './support/until.ts';
import { CLOSE_CODE } from '../contract/socket-close-codes.ts';

const OUTAGE_MS = 10_000;
const CANDIDATES_PER_PLATFORM = 2;
const LOAD_TYPES = ['TAB_SWITCH', 'WINDOW_BLUR', 'FACE_MISSING', 'LOOKING_AWAY'] as const;
/** The candidate page's rhythm: one new event per round, the next round this long after an answer… */
const PACE_MS = 150;
/** …or after an error (the page's retry back-off). */
const RETRY_MS = 250;
/** Events per reportEvents call; the backlog of the outage goes out in a few calls. */
const MAX_BATCH = 50;
/** A graphql-ws client retries a socket closed with this code ("try again later"). */
const EVENTS = 'subscription($id: ID!) { interviewEvents(interviewId: $id) { __typename ... on LiveAlert { candidateId type count violationId } } }';

interface WireError {
  message: string;
  extensions?: { code?: string; retriable?: unknown };
}

interface Answer<T> {
  data?: T | null;
  errors?: readonly WireError[] | undefined;
}

type Call = <T = any>(query: string, variables: Record<string, unknown>) => Promise<Answer<T>>;

/** An operation on a graphql-ws socket, answered with its data or errors; a socket failure rejects. */
function overSocket(socket: WsClient): Call {
  return (query, variables) =>
    new Promise((resolve, reject) => {
      let result: Answer<any> = {};
      socket.client.subscribe(
        { query, variables },
        {
          next: (value) => (result = value as Answer<any>),
          // An operation the server refused arrives as a list of errors; anything else is the socket.
          error: (error) => (Array.isArray(error) ? resolve({ errors: error as WireError[] }) : reject(error)),
          complete: () => resolve(result),
        },
      );
    });
}

function overHttp(client: GraphQLClient): Call {
  return async (query, variables) => {
    const { data, errors } = await client.request(query, variables);
    return { data, errors };
  };
}

interface EventInput {
  seq: number;
  type: string;
  occurredAt: string;
  durationMs: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A scripted candidate page: each round adds the event that just happened to its queue and sends
 * the queue; what is acknowledged leaves the queue, the rest goes again next round with the same
 * seq (a retry), whatever the error was.
 */
class ReportingCandidate {
  readonly label: string;
  readonly candidateId: string;
  readonly sessionId: string;
  readonly #call: Call;
  readonly queue: EventInput[] = [];
  readonly acked = new Set<number>();
  readonly rejected: unknown[] = [];
  /** Errors the server answered with. */
  readonly errors: WireError[] = [];
  /** Requests that got no GraphQL answer at all (a socket or connection failure). */
  readonly failures: string[] = [];
  lastAckAt = 0;
  #nextSeq = 0;
  #stopping = false;
  #done: Promise<void> = Promise.resolve();

  constructor(label: string, candidateId: string, sessionId: string, call: Call) {
    this.label = label;
    this.candidateId = candidateId;
    this.sessionId = sessionId;
    this.#call = call;
  }

  start(): void {
    this.#done = this.#run();
  }

  /** Queues one event of `type` (sent with the next round); resolves with its seq. */
  happen(type: string): number {
    const seq = this.#nextSeq++;
    this.queue.push({ seq, type, occurredAt: new Date().toISOString(), durationMs: 100 });
    return seq;
  }

  /** Stops at once, whatever is still queued (cleaning up after a failure). */
  abandon(): void {
    this.#stopping = true;
    this.queue.length = 0;
  }

  /** Stops making events and waits until the queue is empty (everything acknowledged or refused). */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#done;
  }

  async #run(): Promise<void> {
    while (!this.#stopping || this.queue.length > 0) {
      if (!this.#stopping) this.happen(LOAD_TYPES[this.#nextSeq % LOAD_TYPES.length]!);
      const batch = this.queue.slice(0, MAX_BATCH);
      let answer: Answer<{ reportEvents: { accepted: number[]; rejected: { seq: number }[] } }>;
      try {
        answer = await this.#call(REPORT_EVENTS, { sessionId: this.sessionId, events: batch });
      } catch (error) {
        this.failures.push(String((error as Error).message ?? error));
        await pause(RETRY_MS);
        continue;
      }
      if (answer.errors?.length || !answer.data) {
        this.errors.push(...(answer.errors ?? [{ message: 'no data' }]));
        await pause(RETRY_MS);
        continue;
      }
      const { accepted, rejected } = answer.data.reportEvents;
      const settled = new Set([...accepted, ...rejected.map((r) => r.seq)]);
      for (const seq of accepted) this.acked.add(seq);
      this.rejected.push(...rejected);
      this.queue.splice(0, this.queue.length, ...this.queue.filter((event) => !settled.has(event.seq)));
      if (accepted.length) this.lastAckAt = Date.now();
      await pause(PACE_MS);
    }
  }
}

/** A host's interviewEvents subscription, collecting every event; `ended` says why it stopped, if it did. */
function watchInterview(socket: WsClient, interviewId: string): { alerts: any[]; ended: string | undefined } {
  const watched = { alerts: [] as any[], ended: undefined as string | undefined };
  socket.client.subscribe(
    { query: EVENTS, variables: { id: interviewId } },
    {
      next: (value) => {
        if (value.errors?.length) watched.ended = JSON.stringify(value.errors);
        else if ((value.data as any)?.interviewEvents?.__typename === 'LiveAlert') watched.alerts.push((value.data as any).interviewEvents);
      },
      error: (error) => (watched.ended = JSON.stringify(error)),
      complete: () => (watched.ended ??= 'completed'),
    },
  );
  return watched;
}

async function ready(url: string): Promise<boolean> {
  return (await fetch(`${url}/readyz`)).status === 200;
}

describe('the PostgreSQL server stopped for 10 s under live load', function () {
  let cluster: PrivateCluster | undefined;
  let dataDir: string | undefined;
  const platforms: Platform[] = [];
  const sockets: WsClient[] = [];
  const candidates: ReportingCandidate[] = [];
  const logLines: string[] = [];
  /** The test's own connection to the database (to look at its sessions and rows). */
  let db: pg.Client | undefined;

  before(async function () {
    if (!USING_SERVER) {
      console.log('      (pending: runs in the PostgreSQL server run, PROCTOR_TEST_DATABASE_URL; the embedded database lives and dies with the process)');
      this.skip();
    }
    const made = await PrivateCluster.create();
    if (typeof made === 'string') {
      console.log(`      (skipped: ${made}; the test stops and starts a private PostgreSQL server)`);
      this.skip();
    }
    cluster = made;
    dataDir = await mkdtemp(join(tmpdir(), 'proctor-fault-'));
    // Both platforms share the data dir, hence the signing secret: a login works on either, as
    // with two `proctor up` behind one load balancer.
    const env = { PROCTOR_DATA_DIR: dataDir, PROCTOR_DATABASE_URL: made.url, PROCTOR_LOG_LEVEL: 'warn', PROCTOR_SFU_WORKERS: '1', PROCTOR_RTC_PORT: '0' };
    const logger = createLogger('warn', { write: (line: string) => void logLines.push(line) });
    for (let i = 0; i < 2; i++) platforms.push(await Platform.create(loadConfig(env, { port: 0 }), { logger }));
  });

  after(async () => {
    for (const candidate of candidates) candidate.abandon();
    await db?.end().catch(() => {});
    await Promise.all(sockets.map((socket) => socket.dispose().catch(() => {})));
    for (const platform of platforms) await platform.close();
    await cluster?.destroy();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') process.stderr.write(`--- server log (warnings and errors) ---\n${logLines.slice(-60).join('')}\n`);
  });

  it('answers UNAVAILABLE (retriable) meanwhile, recovers by itself, and keeps every acknowledged event exactly once', async function () {
    this.timeout(240_000);
    const [a, b] = platforms as [Platform, Platform];
    const open = (platform: Platform, token: string) => {
      const socket = connect(platform.url, token);
      sockets.push(socket);
      return socket;
    };

    // 1. A live interview, a host watching on each platform, candidates on both, over both transports.
    const { client: host } = await signUp(new GraphQLClient(a.url));
    const hostOnB = host.withToken(host.token!);
    const created = await host.ok('mutation { createInterview(input: { title: "Database outage" }) { interview { id } } }');
    const interviewId: string = created.createInterview.interview.id;
    const invites: { token: string; candidate: { id: string } }[] = [];
    for (let i = 0; i < 2 * CANDIDATES_PER_PLATFORM; i++) {
      const { inviteCandidate } = await host.ok(
        'mutation($id: ID!, $name: String!, $email: String!) { inviteCandidate(interviewId: $id, name: $name, email: $email) { token candidate { id } } }',
        {
          id: interviewId,
          name: `Candidate ${i}`,
          email: `candidate-${i}@example.com`,
        },
      );
      invites.push(inviteCandidate);
    }
    await host.ok('mutation($id: ID!) { startInterview(id: $id) { status } }', { id: interviewId });
    const hostSockets = [open(a, host.token!), open(b, host.token!)];
    const watching = hostSockets.map((socket) => watchInterview(socket, interviewId));
    await subscribed(a.services.interviewEvents, interviewId);
    await subscribed(b.services.interviewEvents, interviewId);

    const candidateSockets: WsClient[] = [];
    for (const [i, invite] of invites.entries()) {
      const platform = i < CANDIDATES_PER_PLATFORM ? a : b;
      const overWs = i % 2 === 0;
      let call: Call;
      if (overWs) {
        const socket = open(platform, invite.token);
        candidateSockets.push(socket);
        call = overSocket(socket);
      } else {
        call = overHttp(new GraphQLClient(platform.url, invite.token));
      }
      const joined = await call<{ joinSession: { id: string } }>(JOIN_SESSION, { device: DEVICE });
      assert.ok(joined.data, JSON.stringify(joined.errors));
      candidates.push(
        new ReportingCandidate(`${i < CANDIDATES_PER_PLATFORM ? 'A' : 'B'} ${overWs ? 'graphql-ws' : 'HTTP'}`, invite.candidate.id, joined.data.joinSession.id, call),
      );
    }
    const [jpeg] = await makeJpegs(join(dataDir!, 'jpegs'), 1);
    for (const candidate of candidates) candidate.start();
    await until('every candidate acknowledged a few times', async () => candidates.every((c) => c.acked.size >= 3));
    assert.ok((await ready(a.url)) && (await ready(b.url)), 'both ready before the outage');

    // 2. The outage. Its length is the fault itself, not a wait for the server.
    const stoppedAt = Date.now();
    await cluster!.stop();
    await until('both servers report not ready', async () => !(await ready(a.url)) && !(await ready(b.url)));
    // A candidate (re)connecting meanwhile is told to try again later, not that its link is bad.
    const lateSocket = connect(a.url, invites[0]!.token);
    const lateClose = await within('the refused connection', lateSocket.closed, 30_000);
    await lateSocket.dispose();
    const hostDuringOutage = await host.request('query($id: ID!) { interview(id: $id) { status } }', { id: interviewId });
    const uploader = candidates[1]!;
    const snapshotDuringOutage = await fetch(`${a.url}/api/snapshots?sessionId=${uploader.sessionId}&seq=0`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg', authorization: `Bearer ${invites[1]!.token}` },
      body: new Uint8Array(await readFile(jpeg!)),
    });
    await pause(Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt)));
    const errorsDuringOutage = candidates.reduce((sum, c) => sum + c.errors.length, 0);
    await cluster!.start();
    const startedAt = Date.now();

    // 3. Recovery, with nothing restarted on Proctor's side.
    await until('both servers ready again', async () => (await ready(a.url)) && (await ready(b.url)));
    const readyAfterMs = Date.now() - startedAt;
    await until('every candidate acknowledged again', async () => candidates.every((c) => c.lastAckAt > startedAt));
    const ackedAfterMs = Math.max(...candidates.map((c) => c.lastAckAt)) - startedAt;
    const afterwards = await hostOnB.ok('query($id: ID!) { interview(id: $id) { status title } }', { id: interviewId });
    assert.equal(afterwards.interview.status, 'LIVE');
    const rejoin = open(a, invites[0]!.token);
    assert.deepEqual((await overSocket(rejoin)(JOIN_SESSION, { device: DEVICE })).data, { joinSession: { id: candidates[0]!.sessionId } }, 'a new socket joins again');

    // Live events cross between the platforms again, and once each. Each platform's LISTEN
    // connection comes back by itself: waited for where the database shows it (what is NOTIFYed
    // before it is back does not reach the other platform). Then a first marker from each side,
    // and a second one, after which the first must have arrived exactly once on both hosts.
    const database = new pg.Client({ connectionString: cluster!.url });
    db = database;
    await database.connect();
    const listeners = async () =>
      Number((await database.query("select count(*) from pg_stat_activity where application_name = 'proctor-live-relay' and query = 'LISTEN proctor_live'")).rows[0].count);
    await until('both platforms listening for live events again', async () => (await listeners()) === platforms.length);
    const relayBackAfterMs = Date.now() - startedAt;
    for (const [from, candidate] of [candidates[0]!, candidates[CANDIDATES_PER_PLATFORM]!].entries()) {
      for (const type of ['CONTEXT_MENU', 'DEVTOOLS_OPEN']) {
        candidate.happen(type);
        const arrived = () => watching.map((w) => w.alerts.some((alert) => alert.candidateId === candidate.candidateId && alert.type === type));
        await until(`${type} of candidate ${candidate.label} on both hosts`, async () => arrived().every(Boolean)).catch((error: Error) => {
          throw new Error(`${error.message}: arrived on A, B: ${JSON.stringify(arrived())}; subscriptions ended: ${JSON.stringify(watching.map((w) => w.ended))}`);
        });
      }
      for (const [on, w] of watching.entries()) {
        const markers = w.alerts.filter((alert) => alert.candidateId === candidate.candidateId && alert.type === 'CONTEXT_MENU');
        assert.equal(markers.length, 1, `host on ${'AB'[on]} got the marker from ${'AB'[from]} ${markers.length} times`);
      }
    }

    // 4. The candidates send what is left, then stop.
    await within('the candidates draining their queues', Promise.all(candidates.map((c) => c.stop())), 60_000);

    const errors = candidates.flatMap((c) => c.errors);
    const report = candidates.map((c) => `${c.label}: ${c.acked.size} acknowledged, ${c.errors.length} retriable errors`).join('; ');
    console.log(
      `      outage ${OUTAGE_MS / 1000} s; after the database was back: ready in ${readyAfterMs} ms, every candidate acknowledged again within ${ackedAfterMs} ms, live relay listening in ${relayBackAfterMs} ms`,
    );
    console.log(`      ${errors.length} errors seen by candidates (${errorsDuringOutage} while the database was down): ${report}`);

    assert.deepEqual(
      candidates.flatMap((c) => c.failures),
      [],
      'no request went unanswered',
    );
    assert.deepEqual(
      errors.filter((e) => e.extensions?.code !== 'UNAVAILABLE' || e.extensions?.retriable !== true),
      [],
      'every error is UNAVAILABLE with retriable: true',
    );
    for (const candidate of candidates) assert.ok(candidate.errors.length > 0, `${candidate.label} saw the outage`);
    assert.deepEqual(
      candidates.flatMap((c) => c.rejected),
      [],
      'nothing refused (no event waited past the clock window)',
    );
    assert.equal(hostDuringOutage.errors?.[0]?.extensions?.code, 'UNAVAILABLE', JSON.stringify(hostDuringOutage));
    assert.equal(hostDuringOutage.errors?.[0]?.extensions?.retriable, true);
    assert.equal(snapshotDuringOutage.status, 503, 'a snapshot upload meanwhile: 503');
    assert.deepEqual(
      ((await snapshotDuringOutage.json()) as { errors: WireError[] }).errors.map((e) => [e.extensions?.code, e.extensions?.retriable]),
      [['UNAVAILABLE', true]],
    );
    assert.equal(lateClose.code, CLOSE_CODE.TRY_AGAIN_LATER, `a socket opened during the outage: ${JSON.stringify(lateClose)}`);
    assert.deepEqual(
      watching.map((w) => w.ended),
      [undefined, undefined],
      'the hosts’ subscriptions stay open through the outage',
    );
    const closedSockets: string[] = [];
    for (const socket of [...hostSockets, ...candidateSockets]) {
      const outcome = await Promise.race([socket.closed, Promise.resolve(undefined)]);
      if (outcome) closedSockets.push(JSON.stringify(outcome));
    }
    assert.deepEqual(closedSockets, [], 'no socket was closed by the outage');

    // 5. The rows: every acknowledged seq exactly once, and violations counting each event once.
    for (const candidate of candidates) {
      const { rows } = await database.query<{ seq: number }>('select seq from events where session_id = $1 and seq is not null order by seq', [candidate.sessionId]);
      const stored = rows.map((row) => row.seq);
      assert.equal(new Set(stored).size, stored.length, `${candidate.label}: a seq stored twice`);
      assert.deepEqual(
        stored,
        [...candidate.acked].sort((x, y) => x - y),
        `${candidate.label}: stored seqs are exactly the acknowledged ones`,
      );
      const mismatched = await database.query(
        `select v.id, v.type, v.count, count(e.id)::int as events
           from violations v left join events e on e.violation_id = v.id
          where v.session_id = $1
          group by v.id, v.type, v.count
         having v.count <> count(e.id)`,
        [candidate.sessionId],
      );
      assert.deepEqual(mismatched.rows, [], `${candidate.label}: each violation counts exactly the events it holds`);
    }

    // 6. Background jobs recovered too: ending the interview makes every candidate's report.
    await hostOnB.ok('mutation($id: ID!) { endInterview(id: $id) { status } }', { id: interviewId });
    await until(
      'every report generated',
      async () => {
        const { reports } = await hostOnB.ok('query($id: ID!) { reports(interviewId: $id) { status } }', { id: interviewId });
        return reports.length === candidates.length && reports.every((r: { status: string }) => r.status === 'READY');
      },
      120_000,
    );
    const unexpected = logLines.filter((line) => /unexpected error|unhandled error/.test(line));
    assert.deepEqual(unexpected, [], 'nothing was logged as an unexpected error');
  });
});
