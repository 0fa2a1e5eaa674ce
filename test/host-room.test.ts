// The host room: `proctor room` prints a short-lived link that logs the host into the room page;
// the page shows live alerts as they happen and pings the candidate. Real CLI process, server,
// Chromium and graphql-ws candidate.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { liveInterview } from './support/candidate-page.ts';
import { ensureClientBuilt } from './support/client-build.ts';
import { connect, type WsClient } from './support/live.ts';
import { databaseAgnostic, describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { runProctor } from './support/proctor-cli.ts';
import { DEVICE, JOIN_SESSION } from './support/candidate-fixtures.ts';

describe(`host room (${describeDatabase()})`, function () {
  this.timeout(60_000);
  let server: TestPlatform;
  let browser: TestBrowser;
  let configDir: string;
  const sockets: WsClient[] = [];

  before(async function () {
    databaseAgnostic(this); // the page in Chromium; its signaling's database work runs on both databases in the API tests
    await ensureClientBuilt();
    server = await startTestPlatform();
    browser = await launchBrowser();
    configDir = await mkdtemp(join(tmpdir(), 'proctor-cli-'));
  });
  after(async () => {
    await Promise.all(sockets.map((s) => s.dispose()));
    await browser?.close();
    await server?.stop();
    if (configDir) await rm(configDir, { recursive: true, force: true });
  });

  const proctor = (args: string[], token: string) => runProctor(args, { PROCTOR_CONFIG_DIR: configDir, PROCTOR_SERVER: server.url, PROCTOR_TOKEN: token });

  it('`proctor room` logs the host in; the room shows live alerts and pings the candidate', async () => {
    const fixture = await liveInterview(server.url);
    const room = await proctor(['room', fixture.interviewId, '--json'], fixture.host.token!);
    assert.equal(room.code, 0, room.stderr);
    const { url, expiresAt } = JSON.parse(room.stdout);
    assert.match(url, new RegExp(`^${server.url}/h/${fixture.interviewId}#`));
    const ttl = Date.parse(expiresAt) - Date.now();
    assert.ok(ttl > 0 && ttl <= 5 * 60_000, 'short-lived');

    const page = await browser.context.newPage();
    page.on('pageerror', (error) => console.error(`room page error: ${error.message}`));
    await page.goto(url);
    await page.waitForSelector('body[data-screen="room"]');
    assert.equal(new URL(page.url()).hash, '', 'the token leaves the address bar');

    const candidate = connect(server.url, fixture.token);
    sockets.push(candidate);
    const messages = candidate.subscribe('subscription { candidateMessages { kind message } }');
    const joined = (await candidate.request(JOIN_SESSION, { device: DEVICE })).joinSession;
    await candidate.request('mutation($id: ID!, $events: [EventInput!]!) { reportEvents(sessionId: $id, events: $events) { accepted } }', {
      id: joined.id,
      events: [{ seq: 0, type: 'TAB_SWITCH', occurredAt: new Date().toISOString() }],
    });
    await page.waitForSelector('#alerts li[data-type="TAB_SWITCH"]');
    assert.match((await page.textContent('#alerts li[data-type="TAB_SWITCH"]')) ?? '', /\[HIGH\] Ada Lovelace: Candidate switched to another tab/);

    await page.fill('#ping-text', 'Please keep your eyes on the screen');
    await page.click('.ping button');
    const ping = await messages.next(10_000);
    assert.deepEqual(ping.data.candidateMessages, { kind: 'PING', message: 'Please keep your eyes on the screen' });

    await page.reload();
    await page.waitForSelector('body[data-screen="room"]');
    await page.close();

    // The link works once: another tab (its own session storage; someone who found the link in
    // the scrollback) is refused.
    const again = await browser.context.newPage();
    await again.goto(url);
    await again.waitForSelector('body[data-screen="error"]');
    assert.match((await again.textContent('.message')) ?? '', /used already/);
    await again.close();
  });

  it('refuses a used-up or forged room link with a clear page, and API tokens cannot make one', async () => {
    const fixture = await liveInterview(server.url);
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/h/${fixture.interviewId}#not-a-room-token`);
    await page.waitForSelector('body[data-screen="error"]');
    assert.match((await page.textContent('.message')) ?? '', /room link is not valid/);
    await page.close();

    const created = await fixture.host.ok('mutation { createApiToken(name: "ats") { token } }');
    const denied = await proctor(['room', fixture.interviewId], created.createApiToken.token);
    assert.equal(denied.code, 3);
    assert.match(denied.stderr, /use a host login/);
  });
});
