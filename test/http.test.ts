// HTTP-level behaviour: health, metrics, request ids and hostile input (malformed JSON,
// oversized bodies, deep queries, bad values), each answered clearly while the server keeps serving.
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';

describe(`HTTP server (${describeDatabase()})`, () => {
  let server: TestPlatform;
  let host: GraphQLClient;

  before(async () => {
    server = await startTestPlatform();
    ({ client: host } = await signUp(new GraphQLClient(server.url)));
  });
  after(async () => server?.stop());

  /** After every hostile request, a normal one must still work. */
  afterEach(async () => {
    const me = await host.ok('{ me { org { name } } }');
    assert.equal(me.me.org.name, 'Acme');
  });

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('answers /healthz and /readyz', async () => {
    const health = await fetch(`${server.url}/healthz`);
    assert.deepEqual([health.status, await health.json()], [200, { status: 'ok' }]);
    const ready = await fetch(`${server.url}/readyz`);
    assert.deepEqual([ready.status, await ready.json()], [200, { status: 'ready' }]);
  });

  it('exposes Prometheus metrics for HTTP and GraphQL', async () => {
    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.match(text, /^proctor_http_request_duration_seconds_count\{method="POST",route="\/graphql",status="200"\} \d+/m);
    assert.match(text, /^proctor_graphql_operation_duration_seconds_count\{operation="me",type="query",outcome="ok"\} \d+/m);
    assert.match(text, /^proctor_open_sockets \d+/m);
  });

  it('echoes a request id, or makes one', async () => {
    const given = await post('{"query":"{ __typename }"}', { 'x-request-id': 'ats-req-42' });
    assert.equal(given.headers.get('x-request-id'), 'ats-req-42');
    const made = await post('{"query":"{ __typename }"}');
    assert.match(made.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('closes a WebSocket that sends a message over 1 MB (1009), quietly: no stack trace on stderr', async () => {
    const errors: unknown[][] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      const closed = new Promise<number>((resolve) => socket.once('close', resolve));
      socket.send('x'.repeat(1024 * 1024 + 1));
      assert.equal(await closed, 1009);
    } finally {
      console.error = consoleError;
    }
    assert.deepEqual(errors, []);
  });

  it('rejects a malformed JSON body with 400 and a message', async () => {
    const response = await post('{"query": "{ me { org { id } } }"');
    assert.equal(response.status, 400);
    const body = await response.json();
    assert.equal(body.errors[0].extensions.code, 'BAD_REQUEST');
    assert.match(body.errors[0].message, /^The request body is not valid JSON/);
  });

  it('rejects a body over 1 MB with 413, declared or streamed', async () => {
    const big = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(1024 * 1024) } });
    const declared = await post(big);
    assert.equal(declared.status, 413);
    assert.equal((await declared.json()).errors[0].extensions.code, 'PAYLOAD_TOO_LARGE');
    const chunks = [Buffer.from(big.slice(0, 600_000)), Buffer.from(big.slice(600_000))];
    const streamed = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({ pull: (c) => (chunks.length ? c.enqueue(chunks.shift()) : c.close()) }),
      duplex: 'half',
    } as RequestInit);
    assert.equal(streamed.status, 413);
  });

  it('rejects a query nested 50 deep by the depth limit', async () => {
    const deep = `{ me { org { ${'a { '.repeat(48)}id${' }'.repeat(48)} } } }`;
    const response = await host.request(deep);
    const depthError = response.errors?.find((e) => /nested deeper than the limit of 12 levels/.test(e.message));
    assert.ok(depthError, JSON.stringify(response.errors?.map((e) => e.message)));
    assert.equal(depthError.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(response.data, undefined, 'nothing executed');
  });

  it('rejects an empty or a 10 KB title, and an unknown enum value', async () => {
    const create = 'mutation($title: String!) { createInterview(input: { title: $title }) { interview { id } } }';
    assert.deepEqual(await host.error(create, { title: '' }), { code: 'BAD_USER_INPUT', message: 'title: must not be empty' });
    assert.deepEqual(await host.error(create, { title: 't'.repeat(10 * 1024) }), {
      code: 'BAD_USER_INPUT',
      message: 'title: must be at most 200 characters (got 10240)',
    });
    const literal = await host.error('{ interviews(status: FINISHED) { edges { cursor } } }');
    assert.equal(literal.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(literal.message, /"FINISHED" does not exist in "InterviewStatus" enum/);
    const variable = await host.error('query($s: InterviewStatus) { interviews(status: $s) { edges { cursor } } }', { s: 'FINISHED' });
    assert.match(variable.message, /Value "FINISHED" does not exist in "InterviewStatus" enum/);
  });

  it('validates interview config and dates', async () => {
    const create = 'mutation($input: CreateInterviewInput!) { createInterview(input: $input) { interview { id } } }';
    assert.deepEqual(await host.error(create, { input: { title: 'x', config: { lookAwayDegrees: 180 } } }), {
      code: 'BAD_USER_INPUT',
      message: 'config.lookAwayDegrees: must be a whole number from 5 to 90',
    });
    assert.deepEqual(await host.error(create, { input: { title: 'x', config: { retentionDays: 0 } } }), {
      code: 'BAD_USER_INPUT',
      message: 'config.retentionDays: must be a whole number from 1 to 3650',
    });
    const date = await host.error(create, { input: { title: 'x', scheduledAt: 'next tuesday' } });
    assert.match(date.message, /DateTime must be an ISO-8601 string/);
  });

  it('refuses backward paging with a clear message', async () => {
    assert.deepEqual(await host.error('{ interviews(last: 2) { edges { cursor } } }'), {
      code: 'BAD_USER_INPUT',
      message: 'last: backward paging is not supported; use first/after',
    });
  });
});
