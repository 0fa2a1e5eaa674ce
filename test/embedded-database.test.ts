// The embedded database's wire server: one PGlite session shared by many connections, each
// statement or transaction answered to the connection that sent it, no wait unbounded; and the
// whole platform answering every request under concurrent load, on both databases.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as connectTcp, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { EmbeddedDatabase } from '../server/db/embedded.ts';
import { PGliteWireServer, type WireStall } from '../server/db/pglite-wire-server.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { connect } from './support/live.ts';
import { describeDatabase, startTestPlatform, USING_SERVER, type TestPlatform } from './support/platform.ts';
import { START_INTERVIEW } from './support/host-operations.ts';
import { within } from './support/until.ts';

/** A hang guard: a statement that never gets an answer fails the test instead of stalling it. */
const answered = <T>(promise: Promise<T>, what: string, timeoutMs = 20_000): Promise<T> => within(`an answer to ${what}`, promise, timeoutMs);

/**
 * A frontend speaking the wire protocol message by message, so a test decides exactly what the
 * server has seen (pg always sends a whole Parse … Sync sequence at once).
 */
class RawFrontend {
  readonly #socket: Socket;
  #received = Buffer.alloc(0);
  #waiters: (() => void)[] = [];

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (data: Buffer) => {
      this.#received = Buffer.concat([this.#received, data]);
      for (const waiter of this.#waiters.splice(0)) waiter();
    });
  }

  static async open(address: string): Promise<RawFrontend> {
    const [host, port] = address.split(':') as [string, string];
    const socket = connectTcp(Number(port), host);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const frontend = new RawFrontend(socket);
    const parameters = Buffer.from('user\0postgres\0database\0postgres\0\0');
    const startup = Buffer.alloc(8);
    startup.writeInt32BE(8 + parameters.length);
    startup.writeInt32BE(196608, 4);
    socket.write(Buffer.concat([startup, parameters]));
    await frontend.until('Z');
    return frontend;
  }

  send(type: string, body: Buffer = Buffer.alloc(0)): void {
    const header = Buffer.alloc(5);
    header.write(type);
    header.writeInt32BE(body.length + 4, 1);
    this.#socket.write(Buffer.concat([header, body]));
  }

  /** Waits for a backend message of `type`; returns the types received up to it, consuming them. */
  async until(type: string): Promise<string[]> {
    for (;;) {
      const types: string[] = [];
      let offset = 0;
      while (offset + 5 <= this.#received.length) {
        const length = this.#received.readInt32BE(offset + 1);
        if (offset + 1 + length > this.#received.length) break;
        const current = String.fromCharCode(this.#received[offset]!);
        types.push(current);
        offset += 1 + length;
        if (current === type) {
          this.#received = this.#received.subarray(offset);
          return types;
        }
      }
      await answered(new Promise<void>((resolve) => this.#waiters.push(resolve)), `backend message ${type}`);
    }
  }

  close(): void {
    this.#socket.destroy();
  }
}

const cString = (text: string) => Buffer.from(`${text}\0`);

describe('embedded database wire server', function () {
  let db: PGlite;
  let wire: PGliteWireServer;
  let url: string;
  const stalls: WireStall[] = [];

  before(async function () {
    this.timeout(60_000);
    db = await PGlite.create();
    await db.exec('create table notes (id int primary key, body text)');
    wire = await PGliteWireServer.create({ db, waitTimeoutMs: 1_000, onStall: (stall) => stalls.push(stall) });
    url = `postgres://postgres@${wire.address}/postgres`;
  });

  after(async () => {
    await wire.close();
    await db.close();
  });

  it('answers a query sent while another connection is inside a failed extended-protocol sequence', async () => {
    const extended = await RawFrontend.open(wire.address);
    const simple = new pg.Client(url);
    await simple.connect();
    try {
      // Parse is answered; then a Bind with a missing parameter fails, and the backend skips
      // everything until that connection's Sync.
      extended.send('P', Buffer.concat([cString(''), cString('select $1::int as n'), Buffer.from([0, 0])]));
      extended.send('H');
      await extended.until('1');
      extended.send('B', Buffer.concat([cString(''), cString(''), Buffer.from([0, 0, 0, 0, 0, 0])]));
      extended.send('H');
      await extended.until('E');
      // Another connection's query arrives in the middle of that sequence...
      const query = simple.query('select 42 as n');
      // ...and the sequence ends.
      extended.send('S');
      await extended.until('Z');
      const result = await answered(query, 'the other connection');
      assert.equal(result.rows[0].n, 42);
    } finally {
      extended.close();
      await simple.end();
    }
  });

  it('keeps each transaction to the connection that opened it', async () => {
    const first = new pg.Client(url);
    const second = new pg.Client(url);
    await Promise.all([first.connect(), second.connect()]);
    try {
      await first.query('begin');
      await first.query("insert into notes values (1, 'rolled back')");
      // Waits for the first connection's transaction instead of running inside it.
      const insert = second.query("insert into notes values (2, 'kept')");
      await first.query('rollback');
      await answered(insert, 'the second connection');
      const { rows } = await second.query('select id from notes order by id');
      assert.deepEqual(rows, [{ id: 2 }]);
    } finally {
      await Promise.all([first.end(), second.end()]);
      await db.exec('delete from notes');
    }
  });

  it('runs an exclusive task (a copy of the database) only between transactions, never inside one', async () => {
    const client = new pg.Client(url);
    await client.connect();
    try {
      await client.query('begin');
      await client.query("insert into notes values (3, 'in a transaction')");
      let ran = false;
      const task = wire.exclusive(async () => {
        ran = true;
        return (await db.query<{ count: number }>('select count(*)::int as count from notes')).rows[0]!.count;
      });
      // A further statement of the open transaction is answered, and the task still waits.
      await answered(client.query("insert into notes values (4, 'same transaction')"), 'the transaction');
      assert.equal(ran, false, 'the task waits for the transaction to end');
      await client.query('commit');
      assert.equal(await answered(task, 'the exclusive task'), 2, 'it sees the committed rows');
    } finally {
      await client.end();
      await db.exec('delete from notes');
    }
  });

  it('ends a connection that holds the session idle in a transaction while others wait', async () => {
    const holder = new pg.Client(url);
    const waiter = new pg.Client(url);
    await Promise.all([holder.connect(), waiter.connect()]);
    const holderError = new Promise<Error>((resolve) => holder.on('error', resolve));
    try {
      await holder.query('begin');
      await holder.query("insert into notes values (3, 'abandoned')");
      stalls.length = 0;
      const { rows } = await answered(waiter.query('select count(*)::int as count from notes'), 'the waiting connection');
      assert.equal(rows[0].count, 0, 'the abandoned transaction was rolled back');
      assert.match((await answered(holderError, 'the holder')).message, /held the embedded database idle/);
      assert.equal(stalls[0]?.reason, 'idle-owner');
      assert.match(stalls[0]?.holder.lastStatement ?? '', /insert into notes/);
    } finally {
      await waiter.end();
      await holder.end().catch(() => {});
    }
  });

  it('refuses a wrong password when one is set', async function () {
    const guarded = await PGliteWireServer.create({ db, waitTimeoutMs: 1_000, password: 'correct horse' });
    try {
      const wrong = new pg.Client(`postgres://postgres:wrong@${guarded.address}/postgres`);
      await assert.rejects(wrong.connect(), /password authentication failed/);
      const right = new pg.Client(`postgres://postgres:${encodeURIComponent('correct horse')}@${guarded.address}/postgres`);
      await right.connect();
      assert.equal((await right.query('select 1 as one')).rows[0].one, 1);
      await right.end();
    } finally {
      await guarded.close();
    }
  });
});

describe('embedded database copy', function () {
  it('copies committed data only: a dump requested inside a transaction waits for it, and the copy opens', async function () {
    this.timeout(120_000);
    const dir = await mkdtemp(join(tmpdir(), 'proctor-dump-'));
    const embedded = await EmbeddedDatabase.create(join(dir, 'pgdata'), { waitTimeoutMs: 15_000 });
    const client = new pg.Client(embedded.url);
    await client.connect();
    let restored: PGlite | undefined;
    try {
      await client.query('create table kept (id int)');
      await client.query('insert into kept values (1)');
      await client.query('begin');
      await client.query('insert into kept values (2)');
      let copied = false;
      const dump = embedded.dump().then((data) => {
        copied = true;
        return data;
      });
      await client.query('insert into kept values (3)');
      assert.equal(copied, false, 'no copy while a transaction is open');
      await client.query('rollback');
      const data = await within('the copy', dump, 60_000);
      restored = await PGlite.create({ dataDir: join(dir, 'restored'), loadDataDir: new Blob([data]) });
      assert.deepEqual((await restored.query('select id from kept order by id')).rows, [{ id: 1 }]);
    } finally {
      await client.end();
      await restored?.close();
      await embedded.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe(`every request is answered under concurrent load (${describeDatabase()})`, function () {
  this.timeout(240_000);
  let test: TestPlatform;

  before(async function () {
    this.timeout(60_000);
    test = await startTestPlatform();
  });

  after(async () => {
    await test.stop();
  });

  it('lets only connections with the generated password into the embedded database', async function () {
    if (USING_SERVER) this.skip(); // the server's own authentication applies there
    const url = new URL(test.platform.orm.config.get('clientUrl'));
    assert.ok(url.password.length >= 32, 'the platform connects with a generated password');
    url.password = '';
    await assert.rejects(new pg.Client(url.toString()).connect(), /password/);
  });

  it('answers 300 invitations sent 16 at a time while ten hosts watch their interviews', async () => {
    const anonymous = new GraphQLClient(test.url);
    const hosts: { client: GraphQLClient; interviewId: string }[] = [];
    const sockets: ReturnType<typeof connect>[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        const { client } = await signUp(anonymous, `Org ${i}`);
        const created = await client.ok('mutation { createInterview(input: { title: "Load" }) { interview { id } } }');
        const interviewId = created.createInterview.interview.id as string;
        await client.ok(START_INTERVIEW, { id: interviewId });
        const socket = connect(test.url, client.token);
        socket.subscribe('subscription($id: ID!) { interviewEvents(interviewId: $id) { __typename } }', { id: interviewId });
        sockets.push(socket);
        hosts.push({ client, interviewId });
      }
      const total = 300;
      let next = 0;
      const failures: string[] = [];
      const lane = async () => {
        while (next < total) {
          const i = next++;
          const host = hosts[i % hosts.length]!;
          const result = await answered(
            host.client.request('mutation($id: ID!, $name: String!, $email: String!) { inviteCandidate(interviewId: $id, name: $name, email: $email) { token } }', {
              id: host.interviewId,
              name: `Candidate ${i}`,
              email: `candidate-${i}@example.com`,
            }),
            `invitation ${i}`,
            60_000,
          );
          if (result.errors?.length) failures.push(JSON.stringify(result.errors));
        }
      };
      await Promise.all(Array.from({ length: 16 }, lane));
      assert.deepEqual(failures, []);
      const counts = await Promise.all(
        hosts.map(
          async ({ client, interviewId }) =>
            (await client.ok('query($id: ID!) { interview(id: $id) { candidates(first: 50) { edges { node { id } } } } }', { id: interviewId })).interview.candidates.edges
              .length,
        ),
      );
      assert.equal(
        counts.reduce((sum, count) => sum + count, 0),
        total,
      );
    } finally {
      await Promise.all(sockets.map((socket) => socket.dispose()));
    }
  });
});

describe(`a request waiting on a stuck transaction is answered (${describeDatabase()})`, function () {
  this.timeout(120_000);
  let test: TestPlatform;

  before(async function () {
    this.timeout(60_000);
    test = await startTestPlatform({ databaseTimeoutMs: 1_500 });
  });

  after(async () => {
    await test.stop();
  });

  it('gets a retriable error or goes ahead, instead of hanging', async function () {
    const { client } = await signUp(new GraphQLClient(test.url), 'Stuck');
    const holder = new pg.Client(test.platform.orm.config.get('clientUrl'));
    await holder.connect();
    holder.on('error', () => {}); // the embedded database ends this connection: that is the point
    try {
      await holder.query('begin');
      // On a server the transaction locks the table the request writes; on the embedded
      // database any open transaction holds the whole session.
      await holder.query('lock table interviews in access exclusive mode');
      const result = await answered(client.request('mutation { createInterview(input: { title: "Blocked" }) { interview { id } } }'), 'createInterview', 60_000);
      if (USING_SERVER) {
        assert.equal(result.errors?.[0]?.extensions?.code, 'UNAVAILABLE', JSON.stringify(result.errors));
        assert.equal(result.errors?.[0]?.extensions?.retriable, true);
      } else {
        assert.equal(result.errors, undefined, 'the idle transaction was ended and the request went ahead');
      }
    } finally {
      await holder.end().catch(() => {});
    }
  });
});
