// Recording every participant and the screen rule, end to end: a real server, a real mediasoup
// worker, real ffmpeg (files checked with ffprobe), and the real candidate page and host room in
// headless Chromium with fake camera and microphone.
//
// What is real and what is simulated about the screen: with --use-fake-ui-for-media-stream,
// Chromium's picker is accepted by itself and getDisplayMedia hands the page a real capture whose
// track says displaySurface 'monitor' (the share that gets through is that). The refusal needs a
// window: the refusal test's page (and only it) gets an init script that makes the first captured
// track's getSettings() say displaySurface 'window'; everything else (the picker, the capture, the
// second attempt) is Chromium's own. "The candidate stops sharing" is the captured track stopped in
// the page: the producer stays but goes silent, which the server must notice on its own.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { AlertWatcher, liveInterview, type InterviewFixture } from './support/candidate-page.ts';
import { DEVICE, JOIN_SESSION, REPORT_EVENTS } from './support/candidate-fixtures.ts';
import { ensureClientBuilt } from './support/client-build.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { END_INTERVIEW } from './support/host-operations.ts';
import { connect } from './support/live.ts';
import { databaseAgnostic, describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { until } from './support/until.ts';

const run = promisify(execFile);
const RECORDING = `query($interviewId: ID!, $candidateId: ID!) { recording(interviewId: $interviewId, candidateId: $candidateId) {
  startedAt tracks { participant kind startMs endMs bytes }
} }`;

interface TrackRow {
  participant: string;
  kind: string;
  path: string;
  ended_at: string | null;
}

/** The file's streams (`kind/codec`) and its duration in seconds, as ffprobe reads them. */
async function probe(path: string): Promise<{ streams: string[]; seconds: number }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name:format=duration', '-of', 'json', path]);
  const parsed = JSON.parse(stdout);
  return { streams: parsed.streams.map((s: { codec_type: string; codec_name: string }) => `${s.codec_type}/${s.codec_name}`), seconds: Number(parsed.format.duration) };
}

/** Test instrumentation: keeps each screen capture the page gets, so the test can stop it. */
async function keepDisplayStreams(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const kept: MediaStream[] = [];
    (window as unknown as { displayStreams: MediaStream[] }).displayStreams = kept;
    const devices = navigator.mediaDevices;
    const native = devices.getDisplayMedia.bind(devices);
    devices.getDisplayMedia = async (options?: DisplayMediaStreamOptions) => {
      const stream = await native(options);
      kept.push(stream);
      return stream;
    };
  });
}

/** Simulation: the first screen capture the page gets claims to be a window. */
async function firstCaptureIsAWindow(page: Page): Promise<void> {
  await page.addInitScript(() => {
    let simulated = false;
    const devices = navigator.mediaDevices;
    const native = devices.getDisplayMedia.bind(devices);
    devices.getDisplayMedia = async (options?: DisplayMediaStreamOptions) => {
      const stream = await native(options);
      if (!simulated) {
        simulated = true;
        const [track] = stream.getVideoTracks();
        const settings = track!.getSettings();
        track!.getSettings = () => ({ ...settings, displaySurface: 'window' });
      }
      return stream;
    };
  });
}

/** Consent and the device check; stops at the screen step. */
async function throughDeviceCheck(page: Page, link: string): Promise<void> {
  page.on('pageerror', (error) => console.error(`candidate page error: ${error.message}`));
  await page.goto(link);
  await page.waitForSelector('#agree');
  await page.click('#agree');
  await page.waitForSelector('#continue:not([disabled])', { timeout: 30_000 });
  await page.click('#continue');
  await page.waitForSelector('body[data-screen="screen-share"]', { timeout: 20_000 });
}

describe(`recording every participant, and the screen rule (${describeDatabase()})`, function () {
  this.timeout(180_000);
  let server: TestPlatform;
  let candidateBrowser: TestBrowser;
  let hostBrowser: TestBrowser;

  before(async function () {
    databaseAgnostic(this); // Chromium, the SFU and ffmpeg; the recording and composite stores run on both databases in composite.test.ts
    await ensureClientBuilt();
    [server, candidateBrowser, hostBrowser] = await Promise.all([startTestPlatform(), launchBrowser(), launchBrowser()]);
  });
  after(async () => {
    await Promise.all([candidateBrowser?.close(), hostBrowser?.close()]);
    await server?.stop();
  });

  const tracksOf = (interviewId: string) =>
    server.platform.orm.em
      .getConnection()
      .execute<TrackRow[]>('select participant, kind, path, ended_at from recordings where interview_id = ? order by participant, kind', [interviewId]);

  it('validates screenShare, defaults it to OFF, and lets no page report a server-detected type', async () => {
    const fixture = await liveInterview(server.url, {}, { start: false });
    const { interview } = await fixture.host.ok('query($id: ID!) { interview(id: $id) { config { screenShare } } }', { id: fixture.interviewId });
    assert.equal(interview.config.screenShare, 'OFF');
    const bad = await fixture.host.error('mutation { createInterview(input: { title: "x", config: { screenShare: SOMETIMES } }) { interview { id } } }');
    assert.equal(bad.code, 'GRAPHQL_VALIDATION_FAILED');
    const required = await liveInterview(server.url, { screenShare: 'REQUIRED' });
    const candidate = connect(server.url, required.token);
    try {
      const sessionId = (await candidate.request(JOIN_SESSION, { device: DEVICE })).joinSession.id;
      const events = ['SCREEN_SHARE_STOPPED', 'MEDIA_LOST', 'HEARTBEAT_LOST', 'MULTIPLE_DISPLAYS'].map((type, seq) => ({ seq, type, occurredAt: new Date().toISOString() }));
      const { reportEvents } = await candidate.request(REPORT_EVENTS, { sessionId, events });
      assert.deepEqual(reportEvents.accepted, [3], 'MULTIPLE_DISPLAYS is the page’s to report');
      assert.deepEqual(
        reportEvents.rejected.map((r: { seq: number; code: string }) => [r.seq, r.code]),
        [
          [0, 'BAD_USER_INPUT'],
          [1, 'BAD_USER_INPUT'],
          [2, 'BAD_USER_INPUT'],
        ],
      );
    } finally {
      await candidate.dispose();
    }
    // Nothing recorded yet: NOT_FOUND, as for another org and for a malformed id.
    assert.equal((await required.host.error(RECORDING, { interviewId: required.interviewId, candidateId: required.candidateId })).code, 'NOT_FOUND');
    assert.equal((await required.host.error(RECORDING, { interviewId: required.interviewId, candidateId: 'nope' })).code, 'NOT_FOUND');
  });

  it("records the host's and the candidate's camera and mic and the candidate's screen, each on the interview clock; a stopped REQUIRED share raises SCREEN_SHARE_STOPPED", async () => {
    const fixture: InterviewFixture = await liveInterview(server.url, { audioPolicy: 'IGNORE', screenShare: 'REQUIRED' });
    const alerts = new AlertWatcher(server.url, fixture);
    const candidate = await candidateBrowser.context.newPage();
    await keepDisplayStreams(candidate);
    await throughDeviceCheck(candidate, fixture.link);
    assert.match((await candidate.textContent('.card p')) ?? '', /entire screen/);
    await candidate.click('#share-screen');
    await candidate.waitForSelector('body[data-session]', { timeout: 20_000 });
    assert.equal(await candidate.getAttribute('body', 'data-screen-share'), 'shared', "Chromium's fake picker gives the entire screen");
    await candidate.waitForSelector('body[data-media="publishing"]', { timeout: 30_000 });

    const link = (await fixture.host.ok('mutation($id: ID!) { createRoomLink(interviewId: $id) { url } }', { id: fixture.interviewId })).createRoomLink.url;
    const room = await hostBrowser.context.newPage();
    room.on('pageerror', (error) => console.error(`room page error: ${error.message}`));
    await room.goto(link);
    await room.waitForSelector('body[data-publishing="yes"]', { timeout: 30_000 });

    // Five tracks, each in its own file that grows while it is recorded.
    const expected = ['CANDIDATE/CAMERA', 'CANDIDATE/MICROPHONE', 'CANDIDATE/SCREEN', 'HOST/CAMERA', 'HOST/MICROPHONE'];
    await until('every track has media in its file', async () => {
      const rows = await tracksOf(fixture.interviewId);
      if (rows.map((row) => `${row.participant}/${row.kind}`).join() !== expected.join()) return false;
      const sizes = await Promise.all(
        rows.map((row) =>
          stat(row.path).then(
            (info) => info.size,
            () => 0,
          ),
        ),
      );
      return sizes.every((size) => size > 1000);
    });

    // The candidate stops sharing (the capture ends; the page does nothing more): the server notices.
    await candidate.evaluate(() => {
      for (const stream of (window as unknown as { displayStreams: MediaStream[] }).displayStreams) for (const track of stream.getTracks()) track.stop();
    });
    const stopped = await alerts.waitFor('SCREEN_SHARE_STOPPED', 30_000);
    assert.equal(stopped.severity, 'HIGH');

    await fixture.host.ok(END_INTERVIEW, { id: fixture.interviewId });
    const rows = await until('every track finalized', async () => {
      const found = await tracksOf(fixture.interviewId);
      return found.length === expected.length && found.every((row) => row.ended_at) && found;
    });
    const codecs: Record<string, string> = { CAMERA: 'video/vp8', MICROPHONE: 'audio/opus', SCREEN: 'video/vp8' };
    for (const row of rows) {
      const file = await probe(row.path);
      assert.deepEqual(file.streams, [codecs[row.kind]], `${row.participant} ${row.kind}: one stream`);
      assert.ok(Number.isFinite(file.seconds) && file.seconds > 0, `${row.participant} ${row.kind}: a finalized file with its duration (${file.seconds})`);
    }

    // The API: one timeline, every track placed on it; another org gets NOT_FOUND.
    const { recording } = await fixture.host.ok(RECORDING, { interviewId: fixture.interviewId, candidateId: fixture.candidateId });
    assert.deepEqual(recording.tracks.map((t: { participant: string; kind: string }) => `${t.participant}/${t.kind}`).sort(), expected);
    for (const track of recording.tracks) {
      assert.ok(track.startMs >= 0 && track.endMs > track.startMs && track.bytes > 0, JSON.stringify(track));
    }
    assert.equal(Math.min(...recording.tracks.map((t: { startMs: number }) => t.startMs)), 0, 't = 0 is the first track');
    // No file holds more media than its place on the timeline (it may hold less: media that had
    // not reached ffmpeg when the track ended, on a loaded machine).
    for (const row of rows) {
      const track = recording.tracks.find((t: { participant: string; kind: string }) => t.participant === row.participant && t.kind === row.kind);
      const { seconds } = await probe(row.path);
      assert.ok(seconds <= (track.endMs - track.startMs) / 1000 + 1, `${row.participant} ${row.kind}: ${seconds} s in a ${track.endMs - track.startMs} ms track`);
    }
    const { client: stranger } = await signUp(new GraphQLClient(server.url), 'Other org');
    assert.equal((await stranger.error(RECORDING, { interviewId: fixture.interviewId, candidateId: fixture.candidateId })).code, 'NOT_FOUND');
    await alerts.close();
    await Promise.all([candidate.close(), room.close()]);
  });

  it('refuses a window for a REQUIRED screen share with guidance, and joins once the entire screen is shared', async () => {
    const fixture = await liveInterview(server.url, { audioPolicy: 'IGNORE', screenShare: 'REQUIRED' });
    const page = await candidateBrowser.context.newPage();
    await firstCaptureIsAWindow(page);
    await throughDeviceCheck(page, fixture.link);
    assert.equal(await page.$('#skip-screen'), null, 'no way past a REQUIRED share');
    await page.click('#share-screen');
    await page.waitForSelector('body[data-screen-share="refused"]');
    assert.match((await page.textContent('#screen-problem')) ?? '', /single window.*entire screen/);
    assert.equal(await page.getAttribute('body', 'data-screen'), 'screen-share', 'not joined');
    assert.equal(await page.$('body[data-session]'), null);
    await page.click('#share-screen');
    await page.waitForSelector('body[data-session]', { timeout: 20_000 });
    assert.equal(await page.getAttribute('body', 'data-screen-share'), 'shared');
    await fixture.host.ok(END_INTERVIEW, { id: fixture.interviewId });
    await page.close();
  });
});
