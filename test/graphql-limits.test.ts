// Hostile GraphQL documents — nested fragments, aliases, tokens, directives, cost, a 1 MB query —
// are answered or refused with a code and the limit named, over HTTP and over graphql-ws alike,
// each within a small CPU budget, so no client can freeze the event loop. The platform runs in
// this process, so process.cpuUsage() counts the server's work (and this client's, which is small).
// The budget is 50 ms, or twice what a harmless request of the same size costs when a loaded
// machine makes every request dearer: refusing must never cost more than receiving.
import assert from 'node:assert/strict';
import { INTERVIEW_HISTORY_QUERY } from '../cli/live/wire.ts';
import { GraphQLClient, signUp, type GraphQLResponse } from './support/graphql.ts';
import { HOSTILE, nestedFragments } from './support/hostile-queries.ts';
import { connect, type WsClient } from './support/live.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';

/** The requirement: 50 ms of server CPU for anything up to the 1 MB body limit. */
const CPU_BUDGET_MS = 50;
/** Each measurement is the least of this many runs: timers and GC elsewhere in the process add noise, never less. */
const RUNS = 3;

type GraphQLErrors = NonNullable<GraphQLResponse['errors']>;

describe(`GraphQL query limits (${describeDatabase()})`, () => {
  let server: TestPlatform;
  let anonymous: GraphQLClient;
  let host: GraphQLClient;
  let socket: WsClient;

  before(async () => {
    server = await startTestPlatform();
    anonymous = new GraphQLClient(server.url);
    ({ client: host } = await signUp(anonymous));
    socket = connect(server.url, host.token);
  });
  after(async () => {
    await socket?.dispose();
    await server?.stop();
  });

  /**
   * The least CPU time (user + system) this thread spent until `work` settled, in ms, over RUNS
   * runs; and the last result. Each run gets its own query text (`run` as a comment), so no
   * parse or validation cache answers for it.
   */
  async function cpuOf<T>(work: (variant: string) => Promise<T>): Promise<{ result: T; ms: number }> {
    let least = Infinity;
    let result: T | undefined;
    for (let run = 0; run < RUNS; run++) {
      // This thread only: the server's request handling and the client run here, while the
      // embedded database's thread and libuv's pool do unrelated work (sweeps, job polling).
      const before = process.threadCpuUsage();
      result = await work(`\n# run ${run} ${Math.random()}`);
      const spent = process.threadCpuUsage(before);
      least = Math.min(least, (spent.user + spent.system) / 1000);
    }
    return { result: result as T, ms: least };
  }

  /** The errors a graphql-ws operation ends with (the server refuses it while subscribing). */
  const overSocket = (query: string) =>
    new Promise<GraphQLErrors>((resolve, reject) => {
      socket.client.subscribe(
        { query },
        {
          next: (result) => result.errors && resolve(result.errors as GraphQLErrors),
          error: (errors) => resolve(errors as GraphQLErrors),
          complete: () => reject(new Error('the operation was not refused')),
        },
      );
    });

  /** What a harmless operation of the same size costs: `{ __typename }` with a variable of padding (extra variables are ignored). */
  async function budgetFor(query: string): Promise<{ http: number; ws: number }> {
    const pad = 'x'.repeat(Math.max(0, query.length - 60));
    const http = await cpuOf((variant) => anonymous.request(`{ __typename }${variant}`, { pad }));
    const ws = await cpuOf((variant) => socket.request(`{ __typename }${variant}`, { pad }));
    return { http: Math.max(CPU_BUDGET_MS, 2 * http.ms), ws: Math.max(CPU_BUDGET_MS, 2 * ws.ms) };
  }

  /** Refused by `limit` with a code, and only by limits: nothing about the schema beyond them. */
  const assertRefused = (errors: GraphQLErrors | undefined, limit: string) => {
    const refusal = errors?.find((error) => error.extensions?.limit === limit);
    assert.ok(refusal, `refused by the ${limit} limit: ${JSON.stringify(errors?.map((e) => e.message)).slice(0, 300)}`);
    assert.equal(refusal.extensions?.code, 'BAD_USER_INPUT');
    assert.match(refusal.message, /limit/);
    assert.deepEqual(
      errors!.filter((error) => !error.extensions?.limit),
      [],
      'no other error',
    );
  };

  for (const levels of [22, 30]) {
    it(`answers or refuses ${levels} nested fragments (2^${levels} paths) within the CPU budget, anonymously, over HTTP and graphql-ws`, async () => {
      const query = nestedFragments(levels);
      const budget = await budgetFor(query);
      const http = await cpuOf((variant) => anonymous.request(query + variant));
      if (http.result.errors) assertRefused(http.result.errors, 'cost');
      else assert.deepEqual(http.result.data, { __typename: 'Query' });
      assert.ok(http.ms < budget.http, `HTTP: ${http.ms.toFixed(1)} ms of CPU (budget ${budget.http.toFixed(1)})`);
      const ws = await cpuOf((variant) => overSocket(query + variant).catch(() => undefined));
      if (ws.result) assertRefused(ws.result, 'cost');
      assert.ok(ws.ms < budget.ws, `graphql-ws: ${ws.ms.toFixed(1)} ms of CPU (budget ${budget.ws.toFixed(1)})`);
    });
  }

  for (const [name, { query, limit }] of Object.entries(HOSTILE)) {
    it(`refuses ${name} with BAD_USER_INPUT naming the ${limit} limit, over HTTP and graphql-ws, within the CPU budget`, async () => {
      const budget = await budgetFor(query);
      const http = await cpuOf((variant) => anonymous.request(query + variant));
      assertRefused(http.result.errors, limit);
      assert.equal(http.result.data, undefined, 'nothing executed');
      assert.ok(http.ms < budget.http, `HTTP: ${http.ms.toFixed(1)} ms of CPU (budget ${budget.http.toFixed(1)})`);
      const ws = await cpuOf((variant) => overSocket(query + variant));
      assertRefused(ws.result, limit);
      assert.ok(ws.ms < budget.ws, `graphql-ws: ${ws.ms.toFixed(1)} ms of CPU (budget ${budget.ws.toFixed(1)})`);
    });
  }

  it('refuses a hostile document inside a batch or a GET as it does alone', async () => {
    const batch = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: HOSTILE.aliases!.query }, { query: '{ __typename }' }]),
    });
    const batchBody = (await batch.json()) as { errors?: GraphQLErrors; data?: unknown };
    assert.ok(batch.status >= 400 || Array.isArray(batchBody), `status ${batch.status}`);
    assert.equal(Array.isArray(batchBody), false, 'batching stays off: no query of a batch runs');
    assert.equal(batchBody.data, undefined);
    const get = await fetch(`${server.url}/graphql?query=${encodeURIComponent(HOSTILE.directives!.query)}`, { headers: { accept: 'application/json' } });
    assertRefused(((await get.json()) as { errors?: GraphQLErrors }).errors, 'directives');
  });

  it('still answers the heaviest query the project’s own clients send (the CLI’s interview history)', async () => {
    const { createInterview } = await host.ok('mutation { createInterview(input: { title: "Limits" }) { interview { id } } }');
    const data = await host.ok(INTERVIEW_HISTORY_QUERY, { id: createInterview.interview.id });
    assert.equal(data.interview.title, 'Limits');
  });
});
