// The candidate page end to end: real server, real headless Chromium with a fake camera made
// from face pictures, the real MediaPipe models in a worker, a host watching interviewEvents.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { AlertWatcher, joinAsCandidate, liveInterview } from './support/candidate-page.ts';
import { ensureClientBuilt } from './support/client-build.ts';
import { fakeCamera, type Picture } from './support/fake-camera.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';

const SCREENSHOTS = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const FACE_TYPES = ['FACE_MISSING', 'MULTIPLE_FACES'];

describe(`candidate page (${describeDatabase()})`, function () {
  this.timeout(90_000);
  let server: TestPlatform;
  const browsers = new Map<Picture, TestBrowser>();
  const watchers: AlertWatcher[] = [];

  async function browserWith(picture: Picture): Promise<TestBrowser> {
    let browser = browsers.get(picture);
    if (!browser) browsers.set(picture, (browser = await launchBrowser({ fakeVideo: await fakeCamera(picture) })));
    return browser;
  }

  async function watched(config: Record<string, unknown> = {}) {
    const fixture = await liveInterview(server.url, config);
    const watcher = new AlertWatcher(server.url, fixture);
    watchers.push(watcher);
    await watcher.socket.request('{ __typename }'); // the subscription is registered
    return { ...fixture, watcher };
  }

  before(async () => {
    await ensureClientBuilt();
    server = await startTestPlatform();
  });
  afterEach(async () => {
    await Promise.all(watchers.splice(0).map((w) => w.close()));
  });
  after(async () => {
    await Promise.all([...browsers.values()].map((b) => b.close()));
    await server?.stop();
  });

  it('one face: consent, device check and session without a face violation (screenshots for the README)', async () => {
    const { link, watcher } = await watched();
    await mkdir(SCREENSHOTS, { recursive: true });
    const page = await joinAsCandidate(await browserWith('one-face'), link, { screenshots: SCREENSHOTS });
    assert.equal(await page.textContent('#proctoring'), '● Proctoring on');
    const seen = await watcher.drain(4000);
    assert.ok(seen.some((e) => e.__typename === 'CandidateJoined'), 'the host saw the join');
    assert.deepEqual(seen.filter((e) => FACE_TYPES.includes(e.type)).map((e) => e.type), [], 'no face violation for one visible face');
    await page.close();
  });

  it('no face (a cat): FACE_MISSING reaches the host', async () => {
    const { link, watcher } = await watched();
    const page = await joinAsCandidate(await browserWith('no-face-cat'), link);
    const joinedAt = Date.now();
    const alert = await watcher.waitFor('FACE_MISSING');
    console.log(`      FACE_MISSING at the host ${Date.now() - joinedAt} ms after the page joined`);
    assert.equal(alert.severity, 'CRITICAL');
    await page.close();
  });

  it('two faces: MULTIPLE_FACES reaches the host', async () => {
    const { link, watcher } = await watched();
    const page = await joinAsCandidate(await browserWith('two-faces'), link);
    await watcher.waitFor('MULTIPLE_FACES');
    await page.close();
  });

  it('switching tabs: TAB_SWITCH', async () => {
    const { link, watcher } = await watched();
    const page = await joinAsCandidate(await browserWith('one-face'), link);
    // Headless Chromium under playwright keeps every page visible (another page brought to the
    // front does not hide this one), so the page is told what a real switch tells it.
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    const alert = await watcher.waitFor('TAB_SWITCH');
    assert.equal(alert.severity, 'HIGH');
    await page.close();
  });

  it('a paste is blocked and reported', async () => {
    const { link, watcher } = await watched();
    const page = await joinAsCandidate(await browserWith('one-face'), link);
    await page.click('#notes');
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.setData('text/plain', 'copied answer');
      document.getElementById('notes')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    const alert = await watcher.waitFor('COPY_PASTE');
    assert.equal(alert.severity, 'MEDIUM');
    assert.equal(await page.inputValue('#notes'), '', 'nothing was pasted');
    await page.close();
  });

  it('an expired, an unknown and a revoked link each show the error page', async () => {
    const browser = await browserWith('one-face');
    const page = await browser.context.newPage();
    const expired = await liveInterview(server.url, {}, { scheduledAt: new Date(Date.now() - 8 * 86_400_000).toISOString(), start: false });
    await page.goto(expired.link);
    await page.waitForSelector('body[data-screen="error"]');
    assert.match((await page.textContent('.message')) ?? '', /expired/);

    await page.goto(`${server.url}/i/not-a-token`);
    await page.waitForSelector('body[data-screen="error"]');
    assert.match((await page.textContent('.message')) ?? '', /not a Proctor token|not valid/);

    const ended = await liveInterview(server.url);
    await ended.host.ok('mutation($id: ID!) { endInterview(id: $id) { status } }', { id: ended.interviewId });
    await page.goto(ended.link);
    await page.waitForSelector('body[data-screen="error"]');
    assert.match((await page.textContent('.message')) ?? '', /revoked/);
    await page.close();
  });
});
