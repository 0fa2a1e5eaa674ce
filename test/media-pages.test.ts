// The real pages through the SFU: the candidate page (/i/<token>) joins a SCHEDULED interview,
// waits for its media room, and publishes camera + mic once the host starts the interview; the
// host room (/h/<id>, opened with a room link) decodes the candidate's video and publishes the
// host's camera + mic back; both come back by themselves after the SFU worker is killed.
// Real server, real mediasoup worker, two headless Chromiums (the candidate's fake camera shows a
// face picture; the host's is Chromium's test pattern).
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { joinAsCandidate, liveInterview } from './support/candidate-page.ts';
import { ensureClientBuilt } from './support/client-build.ts';
import { fakeCamera } from './support/fake-camera.ts';
import { databaseAgnostic, describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { screenshotsDir } from './support/screenshots.ts';
import { until } from './support/until.ts';
import { START_INTERVIEW, END_INTERVIEW } from './support/host-operations.ts';

/**
 * Test instrumentation only: keeps every RTCPeerConnection a page makes, so the test can read
 * the browser's own inbound-rtp stats (framesDecoded) without a hook in the app.
 */
async function recordPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const made: RTCPeerConnection[] = [];
    (window as unknown as { peerConnections: RTCPeerConnection[] }).peerConnections = made;
    window.RTCPeerConnection = class extends Native {
      constructor(...args: ConstructorParameters<typeof Native>) {
        super(...args);
        made.push(this);
      }
    };
  });
}

/** Video frames the page decoded on the peer connections it made from `from` on (open ones). */
function framesDecoded(page: Page, from = 0): Promise<number> {
  return page.evaluate(async (first) => {
    let frames = 0;
    const made = (window as unknown as { peerConnections: RTCPeerConnection[] }).peerConnections.slice(first);
    for (const pc of made) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((stat: { type: string; kind?: string; framesDecoded?: number }) => {
        if (stat.type === 'inbound-rtp' && stat.kind === 'video') frames += stat.framesDecoded ?? 0;
      });
    }
    return frames;
  }, from);
}

const peerConnectionCount = (page: Page) => page.evaluate(() => (window as unknown as { peerConnections: unknown[] }).peerConnections.length);

describe(`candidate page and host room through the SFU (${describeDatabase()})`, function () {
  this.timeout(90_000);
  let server: TestPlatform;
  let candidateBrowser: TestBrowser;
  let hostBrowser: TestBrowser;

  before(async function () {
    databaseAgnostic(this); // the pages and the SFU; the signaling's database work runs on both databases in sfu-free API tests (live, api)
    await ensureClientBuilt();
    [server, candidateBrowser, hostBrowser] = await Promise.all([
      startTestPlatform(),
      fakeCamera('one-face').then((video) => launchBrowser({ fakeVideo: video })),
      launchBrowser(),
    ]);
    await Promise.all([recordPeerConnections(candidateBrowser.context), recordPeerConnections(hostBrowser.context)]);
  });
  after(async () => {
    await Promise.all([candidateBrowser?.close(), hostBrowser?.close()]);
    await server?.stop();
  });

  /** The candidate's producers' byte counts at the SFU, by kind. */
  const candidateBytes = async (interviewId: string) => {
    const bytes: Record<string, number> = {};
    for (const { producer, stats } of await server.platform.services.media.producerStats(interviewId)) {
      if (producer.role === 'CANDIDATE') bytes[producer.kind] = stats.reduce((sum, stat) => sum + stat.byteCount, 0);
    }
    return bytes;
  };
  const bothRising = async (interviewId: string, what: string) => {
    const first = await until(`${what}: candidate camera and mic bytes at the SFU`, async () => {
      const bytes = await candidateBytes(interviewId);
      return bytes.VIDEO! > 0 && bytes.AUDIO! > 0 && bytes;
    });
    await until(`${what}: rising bytes`, async () => {
      const bytes = await candidateBytes(interviewId);
      return bytes.VIDEO! > first.VIDEO! && bytes.AUDIO! > first.AUDIO!;
    });
  };

  it('a candidate who joins before the start publishes once the host starts; the host room sees and hears them and is seen back; a worker crash is survived', async () => {
    const fixture = await liveInterview(server.url, { audioPolicy: 'IGNORE' }, { start: false });

    // The candidate joins a SCHEDULED interview: the session runs, the media waits for its room.
    const candidate = await joinAsCandidate(candidateBrowser, fixture.link);
    assert.equal(await candidate.getAttribute('body', 'data-media'), 'waiting');
    assert.match((await candidate.textContent('.session .hint')) ?? '', /starts when the host starts it/);
    assert.deepEqual(await candidateBytes(fixture.interviewId), {}, 'no room before the start');

    // The host opens the room with a room link (what `proctor room` prints), then starts.
    const link = (await fixture.host.ok('mutation($id: ID!) { createRoomLink(interviewId: $id) { url } }', { id: fixture.interviewId })).createRoomLink.url;
    const room = await hostBrowser.context.newPage();
    room.on('pageerror', (error) => console.error(`room page error: ${error.message}`));
    await room.goto(link);
    await room.waitForSelector('body[data-screen="room"]');
    assert.equal(await room.getAttribute('#host-self', 'hidden'), '', 'the host camera stays off until the interview is live');
    await fixture.host.ok(START_INTERVIEW, { id: fixture.interviewId });

    await candidate.waitForSelector('body[data-media="publishing"]', { timeout: 20_000 });
    assert.equal(await candidate.textContent('.session .hint'), 'You are in the interview.');
    await bothRising(fixture.interviewId, 'after the start');
    const timing = await candidate.evaluate(() => ({
      joined: performance.getEntriesByName('proctor:joined')[0]!.startTime,
      publishing: performance.getEntriesByName('proctor:publishing')[0]!.startTime,
    }));
    assert.ok(timing.publishing > timing.joined, 'published after joining, when the room opened');

    // The host room decodes the candidate's video (large) and receives their mic.
    await room.waitForSelector('body[data-candidate-video="yes"]', { timeout: 20_000 });
    await until('frames decoded in the host room', async () => (await framesDecoded(room)) > 0);
    const tracks = await room.evaluate(() =>
      ((document.getElementById('candidate-video') as HTMLVideoElement).srcObject as MediaStream)
        .getTracks()
        .map((t) => t.kind)
        .sort(),
    );
    assert.deepEqual(tracks, ['audio', 'video']);
    assert.equal(await room.isVisible('.screen .waiting'), false);

    // …and publishes the host's camera + mic, which the candidate page shows small (and plays).
    await room.waitForSelector('body[data-publishing="yes"]', { timeout: 20_000 });
    await candidate.waitForSelector('video.host-view:not([hidden])', { timeout: 20_000 });
    await until('frames decoded on the candidate page', async () => (await framesDecoded(candidate)) > 0);
    assert.equal(await candidate.evaluate(() => (document.querySelector('video.self-view') as HTMLVideoElement).muted), true, 'the candidate does not hear themselves');

    const screenshots = screenshotsDir();
    if (screenshots) {
      await until('a few seconds of video', async () => (await framesDecoded(room)) > 30);
      await room.screenshot({ path: `${screenshots}/host-room.png` });
      await candidate.screenshot({ path: `${screenshots}/candidate-live.png` });
    }

    // The SFU worker dies: the room reopens on a new worker, the candidate page re-publishes and
    // the host room shows the new streams, without a reload.
    const [roomConnections, candidateConnections] = [await peerConnectionCount(room), await peerConnectionCount(candidate)];
    const [pid] = server.platform.services.media.workerPids();
    process.kill(pid!, 'SIGKILL');
    await until('a restarted worker', async () => {
      const pids = server.platform.services.media.workerPids();
      return pids.length === 1 && pids[0] !== pid;
    });
    await bothRising(fixture.interviewId, 'after the crash');
    await until('frames decoded in the host room after the crash', async () => (await framesDecoded(room, roomConnections)) > 0, 30_000);
    await until('frames decoded on the candidate page after the crash', async () => (await framesDecoded(candidate, candidateConnections)) > 0, 30_000);

    // The end: the candidate page says so; the host room's video goes and its camera turns off.
    await fixture.host.ok(END_INTERVIEW, { id: fixture.interviewId });
    await candidate.waitForSelector('body[data-screen="ended"]');
    await room.waitForSelector('body[data-candidate-video="no"]');
    await room.waitForSelector('#host-self[hidden]', { state: 'attached' });
    assert.equal(await room.textContent('.screen .waiting'), 'The interview is over.');
    await Promise.all([candidate.close(), room.close()]);
  });
});
