// Durability of acknowledged proctoring events across a crash: a real `proctor up` process is
// killed with SIGKILL while a candidate's reportEvents batches are in flight, restarted on the same
// storage, and the database must hold every acknowledged event. The candidate then reconnects,
// resumes its session and re-sends its whole queue (the retry): all of it is acknowledged, nothing
// is stored twice, and the aggregated violations count each stored event exactly once.
import assert from 'node:assert/strict';
import pg from 'pg';
import { loadConfig } from '../server/config.ts';
import { Platform } from '../server/platform.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { connect, type WsClient } from './support/live.ts';
import { describeDatabase, freshStorage, USING_SERVER } from './support/platform.ts';
import { UpProcess } from './support/proctor-cli.ts';
import { DEVICE, REPORT_EVENTS } from './support/candidate-fixtures.ts';
import { START_INTERVIEW } from './support/host-operations.ts';
import { within } from './support/until.ts';

const JOIN = 'mutation($device: DeviceInput!) { joinSession(device: $device) { id resumed } }';
const TYPES = ['TAB_SWITCH', 'WINDOW_BLUR', 'FACE_MISSING', 'LOOKING_AWAY', 'RESIZE_ATTEMPT', 'CONTEXT_MENU'] as const;

const BATCHES = 20;
const PER_BATCH = 10;
/** Requests kept outstanding while reporting: the pipeline that is cut by the kill. */
const WINDOW = 4;
/** The server is killed the moment this many batches have been acknowledged. */
const KILL_AFTER = 8;
// Before the kill at most KILL_AFTER + WINDOW - 1 batches (110 events) are sent: under the
// per-session burst, so no event is refused for its rate.

interface EventInput {
  seq: number;
  type: (typeof TYPES)[number];
  occurredAt: string;
  durationMs: number;
}

interface ReportResult {
  reportEvents: { accepted: number[]; rejected: { seq: number; code: string; message: string }[] };
}

interface Database {
  query<T>(sql: string, params: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * A server database is queried with `pg` directly (also while `proctor up` runs); the embedded
 * one is only reachable in-process, so it is opened with a Platform once no server holds it.
 */
async function openDatabase(env: Record<string, string>): Promise<Database> {
  const url = env.PROCTOR_DATABASE_URL;
  if (url) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return {
      async query<T>(sql: string, params: unknown[]) {
        let n = 0;
        return (
          await client.query(
            sql.replace(/\?/g, () => `$${++n}`),
            params,
          )
        ).rows as T[];
      },
      close: () => client.end(),
    };
  }
  const platform = await Platform.create(loadConfig({ ...env, PROCTOR_LOG_LEVEL: 'silent' }, { port: 0 }));
  return {
    query: <T>(sql: string, params: unknown[]) => platform.orm.em.getConnection().execute<T[]>(sql, params),
    close: () => platform.close(),
  };
}

const seqsOf = (batch: EventInput[]) => batch.map((e) => e.seq);

describe(`acknowledged events survive SIGKILL (${describeDatabase()})`, () => {
  it('keeps every acknowledged event after a SIGKILL, and the retry after reconnect stores and counts nothing twice', async () => {
    const storage = await freshStorage();
    const env = { ...storage.env, PROCTOR_LOG_LEVEL: 'warn' };
    const servers: UpProcess[] = [];
    const start = async () => {
      const started = await UpProcess.started(env);
      servers.push(started.up);
      return started;
    };
    const sockets: WsClient[] = [];
    const databases: Database[] = [];
    try {
      // 1. A server, a live interview and a candidate in its session.
      const { up: first, url: firstUrl } = await start();
      const { client: host } = await signUp(new GraphQLClient(firstUrl));
      const created = await host.ok('mutation { createInterview(input: { title: "Crash" }) { interview { id } } }');
      const interviewId: string = created.createInterview.interview.id;
      const invited = await host.ok('mutation($id: ID!) { inviteCandidate(interviewId: $id, name: "Ada", email: "ada@example.com") { token } }', { id: interviewId });
      const token: string = invited.inviteCandidate.token;
      await host.ok(START_INTERVIEW, { id: interviewId });

      const candidate = connect(firstUrl, token);
      sockets.push(candidate);
      const joined = (await candidate.request(JOIN, { device: DEVICE })).joinSession;
      assert.equal(joined.resumed, false);
      const sessionId: string = joined.id;

      // The candidate page's queue: 200 events, seq 0..199, as they happened (now).
      const now = Date.now();
      const batches: EventInput[][] = Array.from({ length: BATCHES }, (_, b) =>
        Array.from({ length: PER_BATCH }, (_, i) => {
          const seq = b * PER_BATCH + i;
          return { seq, type: TYPES[seq % TYPES.length]!, occurredAt: new Date(now + seq).toISOString(), durationMs: 50 + (seq % 7) * 10 };
        }),
      );

      // 2. Pipelined reporting, WINDOW requests outstanding (each ack sends the next batch);
      // SIGKILL the moment KILL_AFTER batches are acknowledged. The batches then outstanding were
      // sent after earlier acks and wait in the next group commit; acks already on the wire when
      // the kill lands still count as acks (what a client was told is what must be durable).
      const acked = new Set<number>();
      const settled: Promise<void>[] = [];
      let sent = 0;
      let ackedBatches = 0;
      let killed = false;
      let outstandingAtKill = 0;
      let failure: { error: unknown } | undefined;
      await new Promise<void>((resolve, reject) => {
        const fail = (error: unknown) => {
          failure ??= { error };
          reject(error);
        };
        const send = () => {
          const batch = batches[sent++]!;
          const request = candidate.request<ReportResult>(REPORT_EVENTS, { sessionId, events: batch }).then(
            ({ reportEvents }) => {
              assert.deepEqual(reportEvents, { accepted: seqsOf(batch), rejected: [] }, 'every event of a batch is accepted before the kill');
              for (const seq of reportEvents.accepted) acked.add(seq);
              ackedBatches++;
              if (killed) return;
              if (ackedBatches >= KILL_AFTER) {
                killed = true;
                outstandingAtKill = sent - ackedBatches;
                first.signal('SIGKILL');
                resolve();
              } else if (sent < BATCHES) {
                send();
              }
            },
            (error: unknown) => {
              // After the kill an unacknowledged request fails with the socket: expected.
              if (!killed) throw error;
            },
          );
          settled.push(request.catch(fail));
        };
        for (let i = 0; i < WINDOW; i++) send();
      });
      assert.ok(outstandingAtKill > 0, 'requests were still in flight when the server was killed');
      assert.deepEqual(await first.ended, { code: null, signal: 'SIGKILL' });
      await Promise.all(settled);
      if (failure) throw failure.error; // an ack read after the kill must be right too
      await within('the socket to close after the kill', candidate.closed, 30_000);
      const ackedBeforeKill = [...acked].sort((a, b) => a - b);
      assert.ok(ackedBeforeKill.length >= KILL_AFTER * PER_BATCH, `at least ${KILL_AFTER} batches acknowledged`);

      // 3. Restart on the same storage. Rows written from now on are the retry's, not the first
      // server's: received_at tells them apart.
      const restartedAt = new Date();
      const { up: second, url: secondUrl } = await start();
      if (USING_SERVER) {
        // Reachable while the server runs: check before the retry could fill any gap.
        const db = await openDatabase(env);
        databases.push(db);
        const rows = await db.query<{ seq: number }>('select seq from events where session_id = ? and seq is not null', [sessionId]);
        const stored = new Set(rows.map((r) => r.seq));
        assert.equal(stored.size, rows.length, 'no seq stored twice before the retry');
        assert.deepEqual(
          ackedBeforeKill.filter((seq) => !stored.has(seq)),
          [],
          'acknowledged events lost by the SIGKILL',
        );
        await db.close();
        databases.pop();
      }

      // 4. The candidate reconnects, resumes its session and re-sends its whole queue.
      const again = connect(secondUrl, token);
      sockets.push(again);
      const rejoined = (await again.request(JOIN, { device: DEVICE })).joinSession;
      assert.deepEqual(rejoined, { id: sessionId, resumed: true }, 'the open session is resumed after the restart');
      const retried = await Promise.all(batches.map((batch) => again.request<ReportResult>(REPORT_EVENTS, { sessionId, events: batch })));
      retried.forEach(({ reportEvents }, b) => assert.deepEqual(reportEvents, { accepted: seqsOf(batches[b]!), rejected: [] }, `retried batch ${b} accepted whole`));
      await again.dispose();
      second.signal('SIGTERM');
      assert.deepEqual(await second.ended, { code: 0, signal: null }, `the restarted server stops cleanly:\n${second.stderr}`);

      // 5. The rows: every seq once, the acknowledged ones from before the kill, and violations
      // counting each stored event once.
      const db = await openDatabase(env);
      databases.push(db);
      const events = await db.query<{ seq: number; before_restart: boolean }>(
        'select seq, received_at < ?::timestamptz as before_restart from events where session_id = ? and seq is not null order by seq',
        [restartedAt.toISOString(), sessionId],
      );
      const [totals] = await db.query<{ rows: number; seqs: number }>(
        'select count(*)::int as rows, count(distinct seq)::int as seqs from events where session_id = ? and seq is not null',
        [sessionId],
      );
      assert.deepEqual(totals, { rows: BATCHES * PER_BATCH, seqs: BATCHES * PER_BATCH }, 'every seq stored exactly once');
      assert.deepEqual(
        events.map((e) => e.seq),
        Array.from({ length: BATCHES * PER_BATCH }, (_, seq) => seq),
      );
      const firstServers = new Set(events.filter((e) => e.before_restart).map((e) => e.seq));
      assert.deepEqual(
        ackedBeforeKill.filter((seq) => !firstServers.has(seq)),
        [],
        'acknowledged before the kill, yet stored only by the retry (or not at all): lost by the SIGKILL',
      );

      const [counted] = await db.query<{ events: number; counted: number }>(
        `select (select count(*)::int from events where session_id = ?) as events,
                (select coalesce(sum(count), 0)::int from violations where session_id = ?) as counted`,
        [sessionId, sessionId],
      );
      assert.equal(counted!.counted, counted!.events, 'sum of violations.count equals the event rows (no double counting after the retry)');
      const mismatched = await db.query<{ id: string; type: string; count: number; events: number }>(
        `select v.id, v.type, v.count, count(e.id)::int as events
           from violations v left join events e on e.violation_id = v.id
          where v.session_id = ?
          group by v.id, v.type, v.count
         having v.count <> count(e.id)`,
        [sessionId],
      );
      assert.deepEqual(mismatched, [], 'each violation counts exactly the events it holds');
    } catch (error) {
      for (const server of servers) if (server.stderr.trim()) process.stderr.write(`--- proctor up stderr ---\n${server.stderr}\n`);
      throw error;
    } finally {
      await Promise.all(sockets.map((socket) => socket.dispose().catch(() => {})));
      await Promise.all(servers.map((server) => server.kill()));
      for (const db of databases) await db.close().catch(() => {});
      await storage.drop();
    }
  });
});
