// The review page on a real server, database and Chromium: `createReviewLink` (host logins only,
// ended interviews only, another org's interview not found), the recording served with HTTP Range,
// the page playing it with one marker per flag, a marker click seeking to just before its flag,
// a flag reviewed with the mouse (row, then the selected flag's panel) and every flag with the
// keyboard alone, the review completed (then read-only); the video playable before any flag has
// arrived, hundreds of flags listed page by page in time order (windowed), and snapshots fetched only for
// the rows in view.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page, Route } from 'playwright-core';
import { seedLargeInterview } from '../bench/support/report-dataset.ts';
import { parseByteRange } from '../server/http/byte-range.ts';
import { RecordingStore } from '../server/media/recording-store.ts';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { joinAsCandidate, liveInterview } from './support/candidate-page.ts';
import { END_INTERVIEW } from './support/host-operations.ts';
import { runInterview } from './support/interview-flow.ts';
import { databaseAgnostic, describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { screenshotsDir } from './support/screenshots.ts';
import { until } from './support/until.ts';

interface FlagPage {
  interview: {
    candidates: {
      edges: { node: { sessions: { violations: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { id: string; occurredAt: string } }[] } }[] } }[];
    };
  };
}

/** Set on the flag list's section once every page of flags is in. */
const FLAGS_LOADED = '.review-side[aria-busy="false"]';
const LINK = 'mutation($id: ID!, $candidateId: ID) { createReviewLink(interviewId: $id, candidateId: $candidateId) { url expiresAt candidateId } }';
const RECORDING_SECONDS = 20;
const EVENTS = [
  { type: 'TAB_SWITCH', afterMs: 0, durationMs: 1500 },
  { type: 'FACE_MISSING', afterMs: 600, durationMs: 2000, confidence: 0.92 },
  { type: 'MULTIPLE_FACES', afterMs: 1200, durationMs: 1000 },
  { type: 'LOOKING_AWAY', afterMs: 8000, durationMs: 1200 },
];

describe('recording byte ranges', () => {
  it('reads the single range a <video> asks for, and refuses what the file cannot satisfy', () => {
    assert.deepEqual(parseByteRange('bytes=0-99', 1000), { start: 0, end: 99 });
    assert.deepEqual(parseByteRange('bytes=900-', 1000), { start: 900, end: 999 });
    assert.deepEqual(parseByteRange('bytes=900-5000', 1000), { start: 900, end: 999 });
    assert.deepEqual(parseByteRange('bytes=-100', 1000), { start: 900, end: 999 });
    assert.deepEqual(parseByteRange('bytes=-5000', 1000), { start: 0, end: 999 });
    assert.equal(parseByteRange(undefined, 1000), undefined);
    assert.equal(parseByteRange('bytes=0-1, 5-6', 1000), undefined, 'several ranges: the whole file');
    for (const header of ['bytes=1000-', 'bytes=5-1', 'bytes=-0', 'bytes=-', 'items=0-1', 'bytes=abc']) assert.equal(parseByteRange(header, 1000), 'unsatisfiable', header);
    assert.equal(parseByteRange('bytes=0-', 0), 'unsatisfiable', 'an empty file has no bytes');
  });
});

describe(`review page (${describeDatabase()})`, () => {
  let server: TestPlatform;
  let host: GraphQLClient;
  let hostId: string;
  let other: GraphQLClient;
  let browser: TestBrowser;

  before(async function () {
    databaseAgnostic(this); // the page in Chromium; its queries and mutations run on both databases in review.test.ts
    server = await startTestPlatform();
    ({ client: host, hostId } = await signUp(new GraphQLClient(server.url)));
    ({ client: other } = await signUp(new GraphQLClient(server.url), 'Other org'));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A recording of the candidate as ffmpeg writes one (VP8 WebM, finalized: duration and cues), from `offsetMs` after the interview's start. */
  async function record(interviewId: string, candidateId: string, offsetMs = 0): Promise<void> {
    const directory = join(server.env.PROCTOR_DATA_DIR!, 'recordings', interviewId);
    await mkdir(directory, { recursive: true });
    const path = join(directory, `${candidateId}-${Date.now()}.webm`);
    await promisify(execFile)('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc=size=320x240:rate=10`, '-t', String(RECORDING_SECONDS)],
      ...['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '200k', '-f', 'webm', '-y', path],
    ]);
    const { interview } = await host.ok('query($id: ID!) { interview(id: $id) { startedAt } }', { id: interviewId });
    await new RecordingStore(server.platform.orm).started({
      id: randomUUID(),
      interviewId,
      candidateId,
      participant: 'CANDIDATE',
      kind: 'CAMERA',
      path,
      startedAt: new Date(Date.parse(interview.startedAt) + offsetMs),
    });
  }

  it('gives review links to hosts, for ended interviews of their org only', async () => {
    const live = await runInterview(server.url, host, { end: false });
    const notEnded = await host.error(LINK, { id: live.interviewId });
    assert.equal(notEnded.code, 'CONFLICT', notEnded.message);

    const ended = await runInterview(server.url, host);
    const link = (await host.ok(LINK, { id: ended.interviewId })).createReviewLink;
    assert.equal(link.candidateId, ended.candidateId, 'the only candidate, without --candidate');
    assert.match(link.url, new RegExp(`/r/${ended.interviewId}#`));
    assert.equal((await other.error(LINK, { id: ended.interviewId })).code, 'NOT_FOUND');
    assert.equal((await other.error(LINK, { id: ended.interviewId, candidateId: ended.candidateId })).code, 'NOT_FOUND');
    assert.equal((await host.error(LINK, { id: ended.interviewId, candidateId: randomUUID() })).code, 'NOT_FOUND');
    assert.equal((await host.error(LINK, { id: 'not-a-uuid' })).code, 'NOT_FOUND');

    // The review login reads and reviews this interview only; the link works once.
    const token = link.url.split('#')[1];
    const entered = (await host.withToken('').ok('mutation($token: String!) { enterReview(token: $token) { token candidateId } }', { token })).enterReview;
    assert.equal(entered.candidateId, ended.candidateId);
    assert.equal((await host.withToken('').error('mutation($token: String!) { enterReview(token: $token) { token } }', { token })).code, 'UNAUTHENTICATED');
    const reviewer = host.withToken(entered.token);
    assert.equal((await reviewer.ok('query($id: ID!) { interview(id: $id) { id } }', { id: ended.interviewId })).interview.id, ended.interviewId);
    assert.equal((await reviewer.error('query($id: ID!) { interview(id: $id) { id } }', { id: live.interviewId })).code, 'NOT_FOUND');
    assert.equal((await reviewer.error('mutation { createInterview(input: { title: "x" }) { interview { id } } }')).code, 'FORBIDDEN');
    assert.equal((await reviewer.error(LINK, { id: ended.interviewId })).code, 'FORBIDDEN', 'a review login makes no links');

    const { createApiToken } = await host.ok('mutation { createApiToken(name: "ats") { token } }');
    assert.equal((await host.withToken(createApiToken.token).error(LINK, { id: ended.interviewId })).code, 'FORBIDDEN');
  });

  it('plays the recording with every flag on the timeline, one flag reviewed with the mouse and every flag with the keyboard alone', async () => {
    const { interviewId, candidateId } = await runInterview(server.url, host, { events: EVENTS });
    await record(interviewId, candidateId);
    const { tracks } = (
      await host.ok('query($id: ID!, $candidateId: ID!) { recording(interviewId: $id, candidateId: $candidateId) { tracks { participant kind url } } }', {
        id: interviewId,
        candidateId,
      })
    ).recording;
    assert.equal(tracks.length, 1);
    assert.deepEqual([tracks[0].participant, tracks[0].kind], ['CANDIDATE', 'CAMERA']);

    // HTTP Range: a <video> seeks by asking for bytes.
    const ranged = await fetch(tracks[0].url, { headers: { range: 'bytes=100-199' } });
    assert.equal(ranged.status, 206);
    assert.match(ranged.headers.get('content-range') ?? '', /^bytes 100-199\/\d+$/);
    assert.equal((await ranged.arrayBuffer()).byteLength, 100);
    assert.equal((await fetch(tracks[0].url.replace(/signature=[^&]+/, 'signature=forged'))).status, 401);

    const link = (await host.ok(LINK, { id: interviewId })).createReviewLink;
    const page: Page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(link.url);
    await page.waitForSelector('body[data-screen="review"]');
    await page.waitForFunction(() => (document.querySelector('#review-video') as HTMLVideoElement).readyState >= 2, undefined, { timeout: 20_000 });
    await page.waitForSelector(FLAGS_LOADED);
    const flags: { id: string; type: string; occurredAt: string }[] = (
      await host.ok('query($id: ID!) { interview(id: $id) { startedAt candidates { edges { node { sessions { violations { edges { node { id type occurredAt } } } } } } } } }', {
        id: interviewId,
      })
    ).interview.candidates.edges[0].node.sessions.flatMap((s: any) => s.violations.edges.map((e: any) => e.node));
    assert.ok(flags.length >= 2, `flags: ${flags.length}`);
    assert.equal(await page.locator('.timeline .marker').count(), flags.length, 'one marker per flag');
    // The flag list shows the detector's confidence where the events carried one.
    const faceFlag = flags.find((flag) => flag.type === 'FACE_MISSING')!;
    assert.match((await page.locator(`.flag[data-flag="${faceFlag.id}"] .flag-facts`).textContent()) ?? '', /· 92 % confidence$/);

    // A marker click plays from a few seconds before its flag.
    const { interview } = await host.ok('query($id: ID!) { interview(id: $id) { startedAt } }', { id: interviewId });
    const last = flags.at(-1)!;
    const flagSeconds = (Date.parse(last.occurredAt) - Date.parse(interview.startedAt)) / 1000;
    await page.locator(`.timeline .marker[data-flag="${last.id}"]`).click();
    const currentTime = await until('the video to seek', async () => {
      const time = await page.evaluate(() => (document.querySelector('#review-video') as HTMLVideoElement).currentTime);
      return Math.abs(time - Math.max(0, flagSeconds - 3)) < 0.5 && time;
    });
    assert.ok(currentTime <= flagSeconds && currentTime >= flagSeconds - 5, `currentTime ${currentTime} for a flag at ${flagSeconds}`);

    const screenshots = screenshotsDir();
    if (screenshots) await page.screenshot({ path: `${screenshots}/review-page.png` });

    // With the mouse: a row selects its flag into the panel, whose Dismiss takes the note typed there.
    const first = flags.reduce((a, b) => (Date.parse(a.occurredAt) <= Date.parse(b.occurredAt) ? a : b));
    await page.locator(`.flag[data-flag="${first.id}"]`).click();
    await page.waitForSelector(`#flag-detail[data-flag="${first.id}"]`);
    await page.locator('#flag-detail .flag-note').fill('Reading the question aloud');
    await page.locator('#flag-detail .dismiss').click();
    await page.waitForSelector(`.flag[data-flag="${first.id}"] .verdict.DISMISSED`);
    assert.equal(await page.locator('#flag-detail .verdict').textContent(), '✕ Dismissed');

    // Keyboard only: k back to the first flag, then j through every one, confirming and dismissing in turn.
    await page.keyboard.press('Escape');
    await page.focus('#timeline');
    for (let i = 0; i < flags.length; i++) await page.keyboard.press('k');
    for (let i = 0; i < flags.length; i++) {
      if (i > 0) await page.keyboard.press('j');
      const selected = await page.evaluate(() => document.body.dataset.selectedFlag);
      await page.keyboard.press(i % 2 === 0 ? 'c' : 'x');
      await page.waitForSelector(`.flag[data-flag="${selected}"] .verdict.${i % 2 === 0 ? 'CONFIRMED' : 'DISMISSED'}`);
    }
    await page.keyboard.press('4');
    assert.equal(await page.evaluate(() => (document.querySelector('#review-video') as HTMLVideoElement).playbackRate), 4);

    await page.focus('#decision-choice');
    await page.keyboard.press('ArrowDown');
    await page.focus('#complete-review');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#decision');
    assert.equal(await page.locator('#flag-detail .confirm:visible, #flag-detail .flag-note:visible').count(), 0, 'read-only once complete');
    if (screenshots) await page.screenshot({ path: `${screenshots}/review-complete.png` });

    const reviewed = (
      await host.ok(
        'query($id: ID!) { interview(id: $id) { candidates { edges { node { reviewStatus review { decision } sessions { violations { edges { node { id review { verdict note } } } } } } } } } }',
        {
          id: interviewId,
        },
      )
    ).interview.candidates.edges[0].node;
    assert.equal(reviewed.reviewStatus, 'DONE');
    const verdicts = reviewed.sessions.flatMap((s: any) => s.violations.edges.map((e: any) => e.node.review?.verdict));
    assert.equal(verdicts.filter((v: string) => v === 'CONFIRMED').length, Math.ceil(flags.length / 2));
    assert.equal(verdicts.filter((v: string) => v === 'DISMISSED').length, Math.floor(flags.length / 2));
    // The note typed in the panel stayed with its flag: c gave the verdict with it.
    const firstReview = reviewed.sessions.flatMap((s: any) => s.violations.edges.map((e: any) => e.node)).find((v: any) => v.id === first.id).review;
    assert.deepEqual(firstReview, { verdict: 'CONFIRMED', note: 'Reading the question aloud' });
    await page.close();
  });
  it('plays the video before any flag has arrived, then lists hundreds of flags page by page, in time order, with snapshots for the rows in view', async () => {
    // Three pages of flags (100 a page), a 10-minute interview, the candidate's camera recorded.
    const total = 250;
    const snapshot = join(server.env.PROCTOR_DATA_DIR!, 'review-snapshot.jpg');
    await promisify(execFile)('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=gray:s=64x48', '-frames:v', '1', '-y', snapshot]);
    const { interviewId } = await seedLargeInterview(server.platform.orm, server.platform.config.dataDir, hostId, {
      minutes: 10,
      violations: total,
      jpegs: Array.from({ length: total }, () => snapshot),
    });
    const { interview } = await host.ok('query($id: ID!) { interview(id: $id) { startedAt candidates { edges { node { id } } } } }', { id: interviewId });
    const candidateId = interview.candidates.edges[0].node.id as string;
    await record(interviewId, candidateId);
    const link = (await host.ok(LINK, { id: interviewId })).createReviewLink;

    // The flags' queries are held until the video has its first frame: a page that waited for
    // the flags before showing its video would never get there.
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 720 });
    const held: Route[] = [];
    let holding = true;
    await page.route('**/graphql', (route) => {
      if (holding && route.request().postData()?.includes('violations(')) held.push(route);
      else void route.continue();
    });
    await page.goto(link.url);
    await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>('#review-video')?.readyState ?? 0) >= 2, undefined, { timeout: 20_000 });
    await until('the first page of flags asked for', () => Promise.resolve(held.length > 0));
    assert.equal(await page.locator('.flag').count(), 0, 'no flag yet');
    assert.equal(await page.locator('.review-side').getAttribute('aria-busy'), 'true');
    holding = false;
    for (const route of held) await route.continue();
    await page.waitForSelector(FLAGS_LOADED);

    const flags: { id: string; occurredAt: string }[] = [];
    let after: string | null = null;
    do {
      const flagPage: FlagPage = await host.ok<FlagPage>(
        'query($id: ID!, $after: String) { interview(id: $id) { candidates { edges { node { sessions { violations(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id occurredAt } } } } } } } } }',
        { id: interviewId, after },
      );
      const { violations } = flagPage.interview.candidates.edges[0]!.node.sessions[0]!;
      flags.push(...violations.edges.map((e) => e.node));
      after = violations.pageInfo.hasNextPage ? violations.pageInfo.endCursor : null;
    } while (after);
    flags.sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
    assert.equal(flags.length, total);
    assert.equal(await page.locator('.timeline .marker').count(), total, 'one marker per flag, from every page');
    assert.equal(await page.locator('.review-side h2').textContent(), `Flags (${total})`);
    const rendered = await page.locator('.flag').count();
    assert.ok(rendered > 0 && rendered < 30, `only the rows in view are in the DOM: ${rendered}`);
    // In time order, although the pages came in any order: the top rows are the first flags.
    assert.deepEqual(await page.locator('.flag[aria-posinset="1"], .flag[aria-posinset="2"]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.flag)), [
      flags[0]!.id,
      flags[1]!.id,
    ]);

    // Snapshots are fetched for the rows in the DOM once the list rests, none for the rows a scroll passes.
    const withThumbnail = () => page.locator('#flag-list .flag:has(img[src])').count();
    const snapshotRequests = () => page.evaluate(() => performance.getEntriesByType('resource').filter((entry) => entry.name.includes('/api/snapshots/')).length);
    await until('a thumbnail on every row at the top', async () => (await withThumbnail()) === (await page.locator('.flag').count()));
    await page.locator('#flag-list').evaluate((list) => (list.scrollTop = list.scrollHeight));
    const last = page.locator(`.flag[data-flag="${flags.at(-1)!.id}"]`);
    await last.locator('img[src]').waitFor();
    assert.equal(await last.getAttribute('aria-posinset'), String(total));
    assert.equal(await last.getAttribute('aria-setsize'), String(total));
    assert.ok((await page.locator('.flag').count()) < 30, 'still windowed at the bottom');
    assert.ok((await snapshotRequests()) < 60, `snapshots fetched for the top and the bottom rows only: ${await snapshotRequests()} of ${total}`);

    // The list is one tab stop: j from the timeline, and the arrow keys in the list, walk the flags in order.
    await page.focus('#timeline');
    for (const flag of flags.slice(0, 3)) {
      await page.keyboard.press('j');
      assert.equal(await page.evaluate(() => document.body.dataset.selectedFlag), flag.id);
    }
    await page.focus('#flag-list');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.body.dataset.selectedFlag), flags[3]!.id);
    assert.equal(await page.locator('#flag-list').getAttribute('aria-activedescendant'), `flag-${flags[3]!.id}`);
    await page.keyboard.press('End');
    assert.equal(await page.evaluate(() => document.body.dataset.selectedFlag), flags.at(-1)!.id);
    assert.equal(await page.locator(`.flag[data-flag="${flags.at(-1)!.id}"]`).getAttribute('aria-selected'), 'true');
    const screenshots = screenshotsDir();
    if (screenshots) await page.screenshot({ path: `${screenshots}/review-list.png` });
    await page.close();
  });

  it('goes on with the next file when one cannot be played (a reconnect whose recorder received nothing)', async () => {
    const { interviewId, candidateId } = await runInterview(server.url, host);
    const { interview } = await host.ok('query($id: ID!) { interview(id: $id) { startedAt } }', { id: interviewId });
    const directory = join(server.env.PROCTOR_DATA_DIR!, 'recordings', interviewId);
    await mkdir(directory, { recursive: true });
    // The first file: a WebM header and no frame, as a recorder that got no packet leaves it.
    const empty = join(directory, 'camera-empty.webm');
    await promisify(execFile)('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10', '-t', '0', '-c:v', 'libvpx', '-y', empty]);
    const recordings = new RecordingStore(server.platform.orm);
    const emptyId = randomUUID();
    const startedAt = new Date(interview.startedAt);
    await recordings.started({ id: emptyId, interviewId, candidateId, participant: 'CANDIDATE', kind: 'CAMERA', path: empty, startedAt });
    await recordings.ended(emptyId, new Date(startedAt.getTime() + 100), (await stat(empty)).size);
    await record(interviewId, candidateId, 2_000);

    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto((await host.ok(LINK, { id: interviewId })).createReviewLink.url);
    await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>('#review-video')?.readyState ?? 0) >= 2, undefined, { timeout: 20_000 });
    const video = await page.evaluate(() => {
      const element = document.querySelector('#review-video') as HTMLVideoElement;
      return { duration: element.duration, error: element.error?.code ?? null };
    });
    assert.equal(video.error, null);
    assert.ok(Math.abs(video.duration - RECORDING_SECONDS) < 1, `the second file plays: ${video.duration} s`);
    // Played from the clock, the second file starts 2 s in.
    await page.click('#play');
    await until('the clock to run', async () => /^00:0[2-9]/.test((await page.locator('#clock').textContent()) ?? ''));
    await page.close();
  });

  it('plays what the SFU recorded of a real candidate page, seekably', async () => {
    const fixture = await liveInterview(server.url);
    const candidatePage = await joinAsCandidate(browser, fixture.link);
    const connection = server.platform.orm.em.getConnection();
    // The candidate's camera track (the page's large video); the microphone is a track of its own.
    const recorded = () =>
      connection.execute<{ path: string; ended_at: string | null }[]>(
        `select path, ended_at from recordings where interview_id = ? and participant = 'CANDIDATE' and kind = 'CAMERA'`,
        [fixture.interviewId],
      );
    await until('a few hundred KB recorded', async () => {
      const [row] = await recorded();
      return row !== undefined && ((await stat(row.path).catch(() => undefined))?.size ?? 0) > 200_000;
    });
    await candidatePage.close();
    await fixture.host.ok(END_INTERVIEW, { id: fixture.interviewId });
    const [file] = await until('the recording finalized', async () => {
      const rows = await recorded();
      return rows.every((row) => row.ended_at !== null) && rows;
    });
    const probeDuration = async (path: string) =>
      Number((await promisify(execFile)('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path])).stdout);
    const evidenceBytes = (await stat(file!.path)).size;

    const link = (await fixture.host.ok(LINK, { id: fixture.interviewId })).createReviewLink;
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(link.url);
    await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>('#review-video')?.readyState ?? 0) >= 2, undefined, { timeout: 20_000 });
    await page.waitForSelector(FLAGS_LOADED);
    const duration = await page.evaluate(() => (document.querySelector('#review-video') as HTMLVideoElement).duration);
    assert.ok(Number.isFinite(duration) && duration > 0, `the browser knows the duration: ${duration}`);
    const seekedTo = await page.evaluate(
      (target) =>
        new Promise<number>((resolve) => {
          const video = document.querySelector('#review-video') as HTMLVideoElement;
          video.addEventListener('seeked', () => resolve(video.currentTime), { once: true });
          video.currentTime = target;
        }),
      duration / 2,
    );
    assert.ok(Math.abs(seekedTo - duration / 2) < 1, `seeked to ${seekedTo} of ${duration}`);
    // What was served: the original when ffmpeg finalized it with a duration, else a seekable copy
    // beside it (-c copy); the original, the evidence, is left as it was.
    const served = (await probeDuration(file!.path)) > 0 ? file!.path : `${file!.path}.seekable.webm`;
    assert.ok((await probeDuration(served)) > 0, `${served} has a duration`);
    assert.equal((await stat(file!.path)).size, evidenceBytes);
    await page.close();
  });
});
