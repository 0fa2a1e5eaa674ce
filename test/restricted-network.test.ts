// Media from candidates on restrictive networks, with real parts: a candidate Chromium runs in a
// network namespace (test/support/netns.ts) whose firewall drops every UDP packet and lets TCP
// through to the named ports only; the server's mediasoup worker takes ICE-TCP on one extra port
// (PROCTOR_ICE_TCP_PORT), and a real coturn (Debian's turnserver, use-auth-secret) relays media
// when the page is told to use TURN only. Skipped, loudly, only where namespaces cannot be made.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { Page } from 'playwright-core';
import { ConfigError, loadConfig, type Config } from '../server/config.ts';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { startCoturn, type Coturn } from './support/coturn.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { SocketPool } from './support/live.ts';
import { serveMediaHarness } from './support/media-page.ts';
import { createTestNetwork, NetworkUnavailable, type PortRule, type TestNetwork } from './support/netns.ts';
import { databaseAgnostic, describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { errorCode } from './support/sfu-signaling.ts';
import { START_INTERVIEW } from './support/host-operations.ts';
import { until } from './support/until.ts';
import { freePort } from '../bench/support/proctor-process.ts';

const TRANSPORT_ICE = `mutation($interviewId: ID, $direction: TransportDirection!) {
  createTransport(interviewId: $interviewId, direction: $direction) { id iceServers { urls username credential } iceTransportPolicy }
}`;

describe('configuration: TURN and ICE-TCP', () => {
  it('reads TURN URLs, secret, lifetime, policy and the ICE-TCP port', () => {
    const config = loadConfig({
      PROCTOR_TURN_URLS: 'turn:turn.example.com:3478?transport=udp, turns:turn.example.com:443?transport=tcp,turn:[2001:db8::1]',
      PROCTOR_TURN_SECRET: 'a-long-enough-secret',
      PROCTOR_TURN_TTL: '10m',
      PROCTOR_ICE_TRANSPORT_POLICY: 'relay',
      PROCTOR_ICE_TCP_PORT: '443',
    });
    assert.deepEqual(config.turnUrls, ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:443?transport=tcp', 'turn:[2001:db8::1]']);
    assert.equal(config.turnTtlMs, 600_000);
    assert.equal(config.iceTransportPolicy, 'RELAY');
    assert.equal(config.iceTcpPort, 443);
    const defaults = loadConfig({});
    assert.equal(defaults.turnUrls, undefined);
    assert.equal(defaults.turnTtlMs, 3_600_000);
    assert.equal(defaults.iceTransportPolicy, undefined);
    assert.equal(defaults.iceTcpPort, undefined);
  });

  it('refuses malformed TURN settings and ones that cannot work together', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        assert.ok(error instanceof ConfigError);
        return error.problems;
      }
      return [];
    };
    assert.deepEqual(problems({ PROCTOR_TURN_URLS: 'stun:example.com', PROCTOR_TURN_SECRET: 'a-long-enough-secret' }), [
      'PROCTOR_TURN_URLS: expected turn:host[:port][?transport=udp|tcp] or turns:…, got "stun:example.com"',
    ]);
    assert.deepEqual(problems({ PROCTOR_TURN_URLS: 'turn:example.com:70000', PROCTOR_TURN_SECRET: 'a-long-enough-secret' }), [
      'PROCTOR_TURN_URLS: expected a port in 1..65535 in "turn:example.com:70000"',
    ]);
    assert.deepEqual(problems({ PROCTOR_TURN_URLS: 'turn:example.com?transport=sctp', PROCTOR_TURN_SECRET: 'a-long-enough-secret' }), [
      'PROCTOR_TURN_URLS: expected turn:host[:port][?transport=udp|tcp] or turns:…, got "turn:example.com?transport=sctp"',
    ]);
    assert.deepEqual(problems({ PROCTOR_TURN_URLS: ' , ', PROCTOR_TURN_SECRET: 'a-long-enough-secret' }), ['PROCTOR_TURN_URLS: expected one or more turn: or turns: URLs']);
    assert.deepEqual(problems({ PROCTOR_TURN_URLS: 'turn:example.com' }), [
      'PROCTOR_TURN_URLS and PROCTOR_TURN_SECRET go together: the pages get TURN credentials signed with the secret',
    ]);
    assert.deepEqual(problems({ PROCTOR_TURN_URLS: 'turn:example.com', PROCTOR_TURN_SECRET: 'short' }), ['PROCTOR_TURN_SECRET: must be at least 16 characters']);
    assert.deepEqual(problems({ PROCTOR_ICE_TRANSPORT_POLICY: 'relay' }), [
      'PROCTOR_ICE_TRANSPORT_POLICY=relay needs PROCTOR_TURN_URLS: without a TURN server no media could flow',
    ]);
    assert.deepEqual(problems({ PROCTOR_ICE_TRANSPORT_POLICY: 'sometimes' }), ['PROCTOR_ICE_TRANSPORT_POLICY: expected one of ALL, RELAY, got "SOMETIMES"']);
    assert.deepEqual(problems({ PROCTOR_TURN_TTL: '5s' }), ['PROCTOR_TURN_TTL: expected at least 60000 ms, got 5000 ms']);
    assert.deepEqual(problems({ PROCTOR_RTC_PORT: '40000', PROCTOR_SFU_WORKERS: '2', PROCTOR_ICE_TCP_PORT: '40001' }), [
      'PROCTOR_ICE_TCP_PORT 40001-40002 overlaps the WebRTC ports 40000-40001 (PROCTOR_RTC_PORT)',
    ]);
    assert.deepEqual(problems({ PROCTOR_SFU_WORKERS: '2', PROCTOR_ICE_TCP_PORT: '65535' }), ['PROCTOR_ICE_TCP_PORT: 2 workers need ports 65535-65536, past 65535']);
  });
});

describe(`TURN credentials on createTransport (${describeDatabase()})`, function () {
  this.timeout(120_000);
  const secret = 'turn-secret-for-the-credential-test';
  let server: TestPlatform;
  let host: GraphQLClient;
  const sockets = new SocketPool(() => server.url);

  before(async function () {
    databaseAgnostic(this); // credentials are signed, not stored
    server = await startTestPlatform({ turnUrls: ['turn:turn.example.com:3478'], turnSecret: secret, turnTtlMs: 600_000, recording: false });
    ({ client: host } = await signUp(new GraphQLClient(server.url)));
  });
  after(async () => {
    await sockets.closeAll();
    await server?.stop();
  });

  it('hands each admitted connection its own short-lived credential, signed as coturn checks it, and nobody else any', async () => {
    const interview = await liveInterview(host);
    const candidate = sockets.open(interview.token);
    const before = Math.floor(Date.now() / 1000);
    const { createTransport } = await candidate.request(TRANSPORT_ICE, { direction: 'SEND' });
    const after = Math.floor(Date.now() / 1000);
    assert.equal(createTransport.iceTransportPolicy, null, 'no policy unless configured');
    assert.equal(createTransport.iceServers.length, 1);
    const [{ urls, username, credential }] = createTransport.iceServers;
    assert.deepEqual(urls, ['turn:turn.example.com:3478']);
    const [expiry, id] = username.split(':');
    assert.ok(Number(expiry) >= before + 600 && Number(expiry) <= after + 601, `expiry ${expiry} is the TTL from now`);
    assert.ok(id.length > 0);
    assert.equal(credential, createHmac('sha1', secret).update(username).digest('base64'));

    // Another connection gets another credential; the host's socket its own too.
    const other = (await sockets.open(interview.token).request(TRANSPORT_ICE, { direction: 'RECV' })).createTransport.iceServers[0];
    assert.notEqual(other.username.split(':')[1], id);
    const hostSocket = sockets.open(host.token);
    assert.equal((await hostSocket.request(TRANSPORT_ICE, { interviewId: interview.interviewId, direction: 'RECV' })).createTransport.iceServers.length, 1);

    // No credential without a connection admitted to the room: not over HTTP, not for another
    // interview's link, not for another org.
    assert.equal((await host.withToken(interview.token).error(TRANSPORT_ICE, { direction: 'SEND' })).code, 'BAD_USER_INPUT');
    const otherInterview = await liveInterview(host);
    assert.equal(await errorCode(sockets.open(otherInterview.token), TRANSPORT_ICE, { interviewId: interview.interviewId, direction: 'SEND' }), 'FORBIDDEN');
    const { client: stranger } = await signUp(new GraphQLClient(server.url), 'Other org');
    assert.equal(await errorCode(sockets.open(stranger.token), TRANSPORT_ICE, { interviewId: interview.interviewId, direction: 'RECV' }), 'NOT_FOUND');
    const scheduled = await liveInterview(host, false);
    assert.equal(await errorCode(sockets.open(scheduled.token), TRANSPORT_ICE, { direction: 'SEND' }), 'CONFLICT');
  });
});

describe(`media through a restrictive network: ICE-TCP and TURN (${describeDatabase()})`, function () {
  // A hang guard: two Chromium processes' worth of encoding, coturn and the SFU on shared cores.
  this.timeout(180_000);
  let network: TestNetwork | undefined;
  let unavailable = '';
  /** What each test started, stopped in reverse order whatever happened. */
  let cleanups: (() => Promise<unknown>)[] = [];

  before(async function () {
    databaseAgnostic(this); // network namespaces, ICE-TCP and coturn
    try {
      network = await createTestNetwork();
    } catch (error) {
      if (!(error instanceof NetworkUnavailable)) throw error;
      unavailable = error.message;
    }
  });
  beforeEach(function () {
    if (network) return;
    console.warn(`\n  !!! SKIPPED "${this.currentTest?.title}": ${unavailable}\n`);
    this.skip();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.warn('cleanup failed:', error));
    cleanups = [];
  });
  after(async () => network?.close());

  async function start<T extends { close?: () => Promise<unknown>; stop?: () => Promise<unknown> }>(started: Promise<T>): Promise<T> {
    const value = await started;
    cleanups.push(() => (value.close ?? value.stop)!.call(value));
    return value;
  }

  /**
   * A server reachable from the namespace at the link's address only, its harness page, and a
   * Chromium inside the namespace whose firewall lets through `allow` plus the two web ports.
   */
  async function setUp(net: TestNetwork, overrides: Partial<Config>, allow: PortRule[]) {
    const server = await start(startTestPlatform({ host: net.hostAddress, rtcListenIp: net.hostAddress, recording: false, ...overrides }));
    const harness = await start(serveMediaHarness(net.hostAddress));
    const web = [server.url, harness.url].map((url) => new URL(url));
    await net.allowOnly([...web.map((url) => ({ protocol: 'tcp' as const, port: Number(url.port) })), ...allow]);
    // Plain http on a non-loopback address is not a secure context: allow the camera there.
    const browser: TestBrowser = await start(
      launchBrowser({ executablePath: net.chromium, args: [`--unsafely-treat-insecure-origin-as-secure=${web.map((url) => url.origin).join(',')}`] }),
    );
    const { client: host } = await signUp(new GraphQLClient(server.url));
    const interview = await liveInterview(host);
    const page = await browser.context.newPage();
    await page.goto(harness.url);
    await page.waitForFunction(() => 'harness' in window);
    await page.evaluate(([url, token]) => (window as any).harness.publish(url, token), [server.url, interview.token]);
    return { server, interview, page };
  }

  /** Bytes rise on the candidate's camera and mic producers at the SFU. */
  async function mediaFlows(server: TestPlatform, interviewId: string): Promise<void> {
    const bytes = async () =>
      Object.fromEntries(
        (await server.platform.services.media.producerStats(interviewId)).map(({ producer, stats }) => [producer.kind, stats.reduce((sum, stat) => sum + stat.byteCount, 0)]),
      );
    const first = await until('camera and mic bytes at the SFU', async () => {
      const now = await bytes();
      return now.VIDEO! > 0 && now.AUDIO! > 0 && now;
    });
    await until('camera and mic bytes still rising', async () => {
      const now = await bytes();
      return now.VIDEO! > first.VIDEO! && now.AUDIO! > first.AUDIO!;
    });
  }

  const selectedPair = (page: Page) =>
    until('an ICE candidate pair in the browser', () =>
      page.evaluate(
        () => (window as any).harness.selectedCandidatePair() as Promise<{ localType: string; localProtocol: string; remoteProtocol: string; remotePort: number } | undefined>,
      ),
    );

  it('sends camera and mic over ICE-TCP on the extra port when all UDP is dropped', async () => {
    const net = network!;
    const iceTcpPort = await freePort(net.hostAddress);
    const { server, interview, page } = await setUp(net, { iceTcpPort }, [{ protocol: 'tcp', port: iceTcpPort }]);
    await mediaFlows(server, interview.interviewId);

    const pair = await selectedPair(page);
    assert.equal(pair.localProtocol, 'tcp', `the browser's selected pair: ${JSON.stringify(pair)}`);
    assert.equal(pair.remoteProtocol, 'tcp');
    assert.equal(pair.remotePort, iceTcpPort);
    const tuples = (await server.platform.services.media.transportStats(interview.interviewId)).map((stats) => stats.selectedTuple);
    assert.ok(
      tuples.some((tuple) => tuple?.protocol === 'tcp' && tuple.localPort === iceTcpPort),
      `the SFU receives on TCP ${iceTcpPort}: ${JSON.stringify(tuples)}`,
    );
    assert.ok((await net.droppedUdpPackets()) > 0, 'the browser tried UDP, and the firewall dropped it');
  });

  it('relays camera and mic through coturn when the page may only use TURN', async () => {
    const net = network!;
    const coturn: Coturn = await start(startCoturn(net.hostAddress));
    const { server, interview, page } = await setUp(net, { turnUrls: coturn.urls, turnSecret: coturn.secret, iceTransportPolicy: 'RELAY' }, [
      { protocol: 'udp', port: coturn.port },
      { protocol: 'tcp', port: coturn.port },
    ]);
    try {
      await mediaFlows(server, interview.interviewId);
    } catch (error) {
      throw new Error(`${(error as Error).message}\ncoturn's log:\n${(await coturn.log()).slice(-4000)}`, { cause: error });
    }
    const pair = await selectedPair(page);
    assert.equal(pair.localType, 'relay', `the browser's selected pair: ${JSON.stringify(pair)}`);
    // The SFU sees the media come from coturn's relay address, not from the namespace.
    const tuples = (await server.platform.services.media.transportStats(interview.interviewId)).map((stats) => stats.selectedTuple);
    assert.ok(
      tuples.some((tuple) => tuple?.remoteIp === net.hostAddress),
      `media arrives from the relay ${net.hostAddress}: ${JSON.stringify(tuples)}`,
    );
    assert.match(await coturn.log(), /ALLOCATE processed, success/);
  });
});

/** A join link to a new interview of `host`'s org, LIVE unless `live` is false. */
async function liveInterview(host: GraphQLClient, live = true): Promise<{ interviewId: string; token: string }> {
  const created = await host.ok('mutation { createInterview(input: { title: "Restricted network" }) { interview { id } } }');
  const interviewId: string = created.createInterview.interview.id;
  const invited = await host.ok('mutation($id: ID!) { inviteCandidate(interviewId: $id, name: "Ada", email: "ada@example.com") { token } }', { id: interviewId });
  if (live) await host.ok(START_INTERVIEW, { id: interviewId });
  return { interviewId, token: invited.inviteCandidate.token };
}
