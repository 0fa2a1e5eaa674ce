// What the server gives away beyond its answers: metric labels stay a bounded set whatever
// clients send (operation names, paths), a join token reaches neither /metrics nor the log,
// /metrics can require a token, pages and snapshots carry security headers, and X-Forwarded-For
// only counts behind a configured proxy, for HTTP requests and graphql-ws connections alike.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../server/log.ts';
import { GraphQLClient, signUp, uniqueEmail } from './support/graphql.ts';
import { connect } from './support/live.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { makeJpegs } from './support/snapshots.ts';
import { START_INTERVIEW } from './support/host-operations.ts';
import { DEVICE, JOIN_SESSION, REPORT_EVENTS } from './support/candidate-fixtures.ts';

const DISTINCT = 1000;
/** With PROCTOR_LOGIN_ATTEMPTS=1 one address may fail this many logins (accounts.ts: five times the per-email budget). */
const ADDRESS_BUDGET = 5;
const LIMITED = [...Array<string>(ADDRESS_BUDGET).fill('UNAUTHENTICATED'), 'RATE_LIMITED'];
const METRICS_TOKEN = 'scrape-secret-0123456789';

/** The distinct values `label` takes in the samples of `metric` in a Prometheus text exposition. */
function labelValues(exposition: string, metric: string, label: string): Set<string> {
  const values = new Set<string>();
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const value = new RegExp(`[{,]${label}="([^"]*)"`).exec(line)?.[1];
    if (value !== undefined) values.add(value);
  }
  return values;
}

/** Runs `count` requests, `parallel` at a time. */
async function inBatches(count: number, parallel: number, request: (i: number) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < count; start += parallel) {
    await Promise.all(Array.from({ length: Math.min(parallel, count - start) }, (_, i) => request(start + i)));
  }
}

const FAILED_LOGIN = 'mutation($email: String!) { logIn(email: $email, password: "wrong password") { token } }';

/** Failed logins, each with a new email (so only the address limit can trip): the error code of each. */
async function failedLogins(attempts: number, logIn: (attempt: number) => Promise<string | undefined>): Promise<(string | undefined)[]> {
  const codes: (string | undefined)[] = [];
  for (let attempt = 0; attempt < attempts; attempt++) codes.push(await logIn(attempt));
  return codes;
}

/** A failed login over HTTP from a claimed address. */
function overHttp(url: string, forwardedFor: (attempt: number) => string): (attempt: number) => Promise<string | undefined> {
  return async (attempt) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor(attempt) },
      body: JSON.stringify({ query: FAILED_LOGIN, variables: { email: uniqueEmail('nobody') } }),
    });
    return ((await response.json()) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code;
  };
}

/**
 * A failed login over graphql-ws from a claimed address, on a socket of its own (a proxy opens one
 * upgrade per browser, adding X-Forwarded-For to it), from `localAddress`.
 */
function overSocket(url: string, token: string, localAddress: string, forwardedFor: (attempt: number) => string): (attempt: number) => Promise<string | undefined> {
  return async (attempt) => {
    const socket = connect(url, token, { localAddress, headers: { 'x-forwarded-for': forwardedFor(attempt) } });
    try {
      const answer = await socket.request(FAILED_LOGIN, { email: uniqueEmail('nobody') }).then(
        () => 'logged in',
        (error: Error) => error.message,
      );
      return /"code":"(\w+)"/.exec(answer)?.[1];
    } finally {
      await socket.dispose();
    }
  };
}

describe(`what the HTTP server exposes (${describeDatabase()})`, () => {
  let server: TestPlatform;
  let behindProxy: TestPlatform;
  let host: GraphQLClient;
  const logLines: string[] = [];

  before(async () => {
    const logger = createLogger('info', { write: (line: string) => void logLines.push(line) });
    [server, behindProxy] = await Promise.all([
      startTestPlatform({ loginAttempts: 1 }, {}, { logger }),
      startTestPlatform({ loginAttempts: 1, trustProxyHops: 1, metricsToken: METRICS_TOKEN }),
    ]);
    ({ client: host } = await signUp(new GraphQLClient(server.url)));
  });
  after(async () => Promise.all([server?.stop(), behindProxy?.stop()]));

  const metrics = async () => (await fetch(`${server.url}/metrics`)).text();

  it(`keeps the operation label bounded after ${DISTINCT} distinct operationNames`, async () => {
    await inBatches(DISTINCT, 50, (i) => host.request(`query Probe${i}x${Math.random().toString(36).slice(2)} { __typename }`));
    const operations = labelValues(await metrics(), 'proctor_graphql_operation_duration_seconds_count', 'operation');
    assert.ok(operations.has('__typename'), [...operations].join(', '));
    assert.ok(operations.size < 20, `${operations.size} operation labels: ${[...operations].slice(0, 10).join(', ')}…`);
  });

  it(`keeps the route label bounded after ${DISTINCT} distinct paths, and a join token out of /metrics and the log`, async () => {
    const { createInterview } = await host.ok('mutation { createInterview(input: { title: "Exposure" }) { interview { id } } }');
    const { inviteCandidate } = await host.ok('mutation($id: ID!) { inviteCandidate(interviewId: $id, name: "Ada", email: "ada@example.com") { token } }', {
      id: createInterview.interview.id,
    });
    const token = inviteCandidate.token as string;
    const page = await fetch(`${server.url}/i/${token}`);
    assert.equal(page.status, 200);
    // Join links mistyped or probed, with and without a route: each path is new.
    await fetch(`${server.url}/i/${token}`, { method: 'POST' });
    await fetch(`${server.url}/i/${token}/extra`);
    await inBatches(DISTINCT, 50, (i) => fetch(i % 2 ? `${server.url}/i/${token}${i}` : `${server.url}/nowhere/${i}/${token}`).then((r) => r.arrayBuffer()));
    const exposition = await metrics();
    const routes = labelValues(exposition, 'proctor_http_request_duration_seconds_count', 'route');
    assert.ok(routes.has('/i/:token'), [...routes].join(', '));
    assert.ok(routes.size < 20, `${routes.size} route labels: ${[...routes].slice(0, 10).join(', ')}…`);
    assert.ok(!exposition.includes(token), 'the join token is not in /metrics');
    assert.ok(logLines.length > DISTINCT, 'requests were logged');
    assert.deepEqual(
      logLines.filter((line) => line.includes(token)),
      [],
      'the join token is in no log line',
    );
  });

  it('keeps bearer tokens out of the log', async () => {
    const logged = [...logLines];
    const leaks = logged.filter((line) => line.includes(host.token!));
    assert.deepEqual(leaks, []);
    const child = createLogger('info', { write: (line: string) => void logLines.push(line) });
    child.info({ headers: { authorization: `Bearer ${host.token}` }, token: host.token, request: { joinToken: host.token } }, 'careless');
    assert.ok(!logLines.at(-1)!.includes(host.token!), String(logLines.at(-1)));
    assert.match(logLines.at(-1)!, /\[redacted\]/);
  });

  it('requires the metrics token when PROCTOR_METRICS_TOKEN is set', async () => {
    const open = await fetch(`${behindProxy.url}/metrics`);
    assert.equal(open.status, 401);
    assert.equal(open.headers.get('www-authenticate'), 'Bearer realm="metrics"');
    assert.equal(((await open.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code, 'UNAUTHENTICATED');
    const wrong = await fetch(`${behindProxy.url}/metrics`, { headers: { authorization: 'Bearer not-the-token-at-all' } });
    assert.equal(wrong.status, 401);
    const scraped = await fetch(`${behindProxy.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(scraped.status, 200);
    assert.match(await scraped.text(), /^proctor_open_sockets \d+/m);
    const health = await fetch(`${behindProxy.url}/healthz`);
    assert.equal(health.status, 200, 'health stays open for probes');
  });

  it('rate-limits logins by the socket address, whatever X-Forwarded-For claims, unless a proxy is trusted', async () => {
    const spoofed = await failedLogins(
      ADDRESS_BUDGET + 1,
      overHttp(server.url, (attempt) => `203.0.113.${attempt}`),
    );
    assert.deepEqual(spoofed, LIMITED, 'a new claimed address per attempt changes nothing');

    const distinctClients = await failedLogins(
      ADDRESS_BUDGET + 1,
      overHttp(behindProxy.url, (attempt) => `203.0.113.${attempt}`),
    );
    assert.deepEqual(distinctClients, Array(ADDRESS_BUDGET + 1).fill('UNAUTHENTICATED'), 'behind the proxy, each forwarded address is its own client');
    // The proxy appends the address it saw: only that last entry is believed, not what the client prepended.
    const oneClient = await failedLogins(
      ADDRESS_BUDGET + 1,
      overHttp(behindProxy.url, (attempt) => `198.51.100.${attempt}, 192.0.2.7`),
    );
    assert.deepEqual(oneClient, LIMITED);
  });

  it('rate-limits graphql-ws logins by the same rule as HTTP: X-Forwarded-For of the upgrade only behind a trusted proxy', async () => {
    // Sockets from addresses of their own (127.0.0.x), so the HTTP test's budget plays no part.
    const spoofed = await failedLogins(
      ADDRESS_BUDGET + 1,
      overSocket(server.url, host.token!, '127.0.0.6', (attempt) => `203.0.113.${100 + attempt}`),
    );
    assert.deepEqual(spoofed, LIMITED, 'without a trusted proxy the socket address counts, whatever the upgrade claims');

    const { client: proxiedHost } = await signUp(new GraphQLClient(behindProxy.url));
    const distinctClients = await failedLogins(
      ADDRESS_BUDGET + 1,
      overSocket(behindProxy.url, proxiedHost.token!, '127.0.0.7', (attempt) => `203.0.113.${100 + attempt}`),
    );
    assert.deepEqual(distinctClients, Array(ADDRESS_BUDGET + 1).fill('UNAUTHENTICATED'), 'behind the proxy, each forwarded address is its own client');
    const oneClient = await failedLogins(
      ADDRESS_BUDGET + 1,
      overSocket(behindProxy.url, proxiedHost.token!, '127.0.0.7', (attempt) => `198.51.100.${attempt}, 192.0.2.8`),
    );
    assert.deepEqual(oneClient, LIMITED, 'only the entry the proxy appended is believed');
    // The same forwarded client over HTTP shares that budget: one client, one count.
    assert.deepEqual(
      await failedLogins(
        1,
        overHttp(behindProxy.url, () => '192.0.2.8'),
      ),
      ['RATE_LIMITED'],
    );
  });

  it('serves the pages with a CSP, nosniff, no referrer and a Permissions-Policy', async () => {
    const page = await fetch(`${server.url}/h/some-interview`);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    assert.doesNotMatch(csp, /'unsafe-eval'|'unsafe-inline'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    const permissions = page.headers.get('permissions-policy') ?? '';
    for (const feature of ['camera', 'microphone', 'display-capture']) assert.match(permissions, new RegExp(`(^|, )${feature}=\\(self\\)`));
    for (const feature of ['geolocation', 'payment', 'usb']) assert.match(permissions, new RegExp(`(^|, )${feature}=\\(\\)`));
    const config = await fetch(`${server.url}/app-config.json`);
    assert.equal(config.headers.get('x-content-type-options'), 'nosniff');
  });

  it('serves a snapshot as an inert inline JPEG', async function () {
    const { createInterview } = await host.ok('mutation { createInterview(input: { title: "Snapshot headers" }) { interview { id } } }');
    const interviewId = createInterview.interview.id as string;
    const { inviteCandidate } = await host.ok('mutation($id: ID!) { inviteCandidate(interviewId: $id, name: "Ada", email: "ada@example.com") { token } }', { id: interviewId });
    await host.ok(START_INTERVIEW, { id: interviewId });
    const candidate = connect(server.url, inviteCandidate.token);
    const dir = await mkdtemp(join(tmpdir(), 'proctor-snapshot-'));
    try {
      const sessionId = (await candidate.request(JOIN_SESSION, { device: DEVICE })).joinSession.id;
      const events = [{ seq: 0, type: 'FACE_MISSING', durationMs: 1500, occurredAt: new Date().toISOString() }];
      await candidate.request(REPORT_EVENTS, { sessionId, events });
      const [jpeg] = await makeJpegs(dir, 1);
      const upload = await fetch(`${server.url}/api/snapshots?sessionId=${sessionId}&seq=0`, {
        method: 'POST',
        headers: { 'content-type': 'image/jpeg', authorization: `Bearer ${inviteCandidate.token}` },
        body: await readFile(jpeg!),
      });
      assert.equal(upload.status, 201);
      assert.equal(upload.headers.get('x-content-type-options'), 'nosniff');
      const { url } = (await upload.json()) as { url: string };
      const image = await fetch(url, { headers: { authorization: `Bearer ${host.token}` } });
      assert.equal(image.status, 200);
      assert.equal(image.headers.get('content-type'), 'image/jpeg');
      assert.equal(image.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(image.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'; sandbox");
      assert.equal(image.headers.get('content-disposition'), `inline; filename="${url.split('/').pop()}"`);
    } finally {
      await candidate.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
