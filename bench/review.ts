// bench/review.ts — the review page's figures (issue 14):
//   page open → first frame playable (the <video>'s loadeddata, from navigation start),
//   seek latency (currentTime set → seeked, random seeks over the hour; p50/p95),
//   the flag list rendering incrementally (time to the first rows, rows in the DOM, long tasks),
// on a synthesised 60-minute recording (320×240, 5 fps VP8: 60 s encoded, then looped with
// -c copy; checked with ffprobe to last the hour; cached in the temp dir between runs),
// registered as the candidate's camera track and finalized, so the server serves its seekable
// copy as it does for a real recording, and an ended interview with 2,000 flags. Beside each figure, the baseline measured in
// the same run: the same file in a bare <video> page. Runs a real server in-process (embedded
// database, temp data dir) and headless Chromium. `--json` prints the figures as JSON.
// Bounded: every wait has a deadline, the run a budget (`--budget S`, default 10 minutes).
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { loadConfig } from '../server/config.ts';
import { RecordingStore } from '../server/media/recording-store.ts';
import { Platform } from '../server/platform.ts';
import { launchBrowser } from '../test/support/browser.ts';
import { ensureClientBuilt } from '../test/support/client-build.ts';
import { GraphQLClient, signUp } from '../test/support/graphql.ts';
import { freshStorage } from '../test/support/platform.ts';
import { CALL_TIMEOUT_MS, Limit, within } from './support/limits.ts';
import { machineFacts, machineLines } from './support/machine.ts';
import { seedLargeInterview } from './support/report-dataset.ts';
import { progress, table, verdict } from './support/report.ts';
import { budgetMs, ownChild, runBench } from './support/run.ts';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, budget: { type: 'string', default: '600' } } });
const SHAPE = { minutes: 60, violations: 2000 };
const SEEKS = 40;
const RUNS = 3;
const BUILD_TIMEOUT_MS = 180_000;
const FFMPEG_TIMEOUT_MS = 240_000;
const PAGE_TIMEOUT_MS = 30_000;
const SEEK_TIMEOUT_MS = 10_000;
const TARGETS = { openMs: 1500, seekMs: 300 };

/** Where the synthesised hour is kept between runs (about 28 MB): making it is the slow part of a cold run. */
const CACHE_DIR = join(tmpdir(), 'proctor-bench-review');

/**
 * Installed before any page script: when the first frame became playable, the first flag row
 * appeared, and every long task. The first frame counts once the video (`selector`) is in the
 * document and has its current frame (readyState ≥ HAVE_CURRENT_DATA): the review page loads its
 * <video> before attaching it, so a `loadeddata` listener on the document alone never hears it
 * (that was why the first runs stopped at "the first frame").
 */
const observers = (selector: string) => `
  window.__bench = { firstFrame: null, firstRow: null, longTasks: [] };
  const frameReady = () => { window.__bench.firstFrame ??= performance.now(); };
  const watched = new WeakSet();
  const watch = (video) => {
    if (watched.has(video)) return;
    watched.add(video);
    if (video.readyState >= 2) frameReady();
    else video.addEventListener('loadeddata', frameReady, { once: true });
  };
  new MutationObserver((_, observer) => {
    const video = document.querySelector(${JSON.stringify(selector)});
    if (video) watch(video);
    if (document.querySelector('.flag')) window.__bench.firstRow ??= performance.now();
    if (window.__bench.firstFrame !== null && window.__bench.firstRow !== null) observer.disconnect();
  }).observe(document, { childList: true, subtree: true });
  new PerformanceObserver((list) => { for (const entry of list.getEntries()) window.__bench.longTasks.push(entry.duration); }).observe({ type: 'longtask', buffered: true });
`;

interface PageFigures {
  openMs: number;
  seekMs: number[];
  firstRowMs: number | null;
  rowsInDom: number;
  longTasks: number[];
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function ffmpeg(args: string[], signal: AbortSignal): Promise<void> {
  return within(
    new Promise<void>((resolve, reject) => {
      ownChild(execFile('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], (error: Error | null) => (error ? reject(error) : resolve())));
    }),
    FFMPEG_TIMEOUT_MS,
    'ffmpeg',
    signal,
  );
}

/** The file's duration in seconds, as ffprobe reads it (NaN when it has none). */
function probedDuration(path: string, signal: AbortSignal): Promise<number> {
  return within(
    new Promise<number>((resolve, reject) => {
      ownChild(
        execFile('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], (error: Error | null, stdout: string) =>
          error ? reject(error) : resolve(Number.parseFloat(stdout)),
        ),
      );
    }),
    FFMPEG_TIMEOUT_MS,
    'ffprobe',
    signal,
  );
}

/** A 60-minute VP8 WebM in `dir`: one minute encoded, then looped without re-encoding; made once and cached. */
async function synthesise(dir: string, signal: AbortSignal): Promise<string> {
  const hour = join(dir, 'hour.webm');
  const cached = join(CACHE_DIR, `hour-${SHAPE.minutes}min-320x240-5fps.webm`);
  if (!(await stat(cached).catch(() => undefined)) || Math.abs((await probedDuration(cached, signal)) - SHAPE.minutes * 60) > 1) {
    await mkdir(CACHE_DIR, { recursive: true });
    const minute = join(CACHE_DIR, 'minute.webm');
    const partial = `${cached}.partial`;
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=5', '-t', '60', '-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '150k', '-g', '50', minute], signal);
    await ffmpeg(['-stream_loop', String(SHAPE.minutes - 1), '-i', minute, '-c', 'copy', '-f', 'webm', partial], signal);
    const duration = await probedDuration(partial, signal);
    // A file the browser cannot place on the hour would measure nothing.
    if (Math.abs(duration - SHAPE.minutes * 60) > 1) throw new Error(`the synthesised recording lasts ${duration} s, not ${SHAPE.minutes * 60} s`);
    await rename(partial, cached);
    await rm(minute, { force: true });
  }
  await copyFile(cached, hour);
  return hour;
}

/** Random seeks over the whole file: currentTime set → seeked. */
async function seekLatencies(page: Page, selector: string, signal: AbortSignal): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < SEEKS; i++) {
    const target = Math.random() * (SHAPE.minutes * 60 - 5);
    latencies.push(
      await within(
        page.evaluate(
          ([selector, target]) =>
            new Promise<number>((resolve) => {
              const video = document.querySelector(selector) as HTMLVideoElement;
              const start = performance.now();
              video.addEventListener('seeked', () => resolve(performance.now() - start), { once: true });
              video.currentTime = target;
            }),
          [selector, target] as const,
        ),
        SEEK_TIMEOUT_MS,
        `seek ${i + 1}`,
        signal,
      ),
    );
  }
  return latencies;
}

async function measure(page: Page, url: string, selector: string, signal: AbortSignal): Promise<PageFigures> {
  await page.addInitScript(observers(selector));
  await within(page.goto(url), PAGE_TIMEOUT_MS, 'opening the page', signal);
  await within(
    page.waitForFunction(() => (window as any).__bench.firstFrame !== null, undefined, { timeout: PAGE_TIMEOUT_MS, polling: 50 }),
    PAGE_TIMEOUT_MS,
    `the first frame of ${selector}`,
    signal,
  );
  const seekMs = await seekLatencies(page, selector, signal);
  const figures = await page.evaluate(() => (window as any).__bench as { firstFrame: number; firstRow: number | null; longTasks: number[] });
  const rowsInDom = await page.locator('.flag').count();
  return { openMs: figures.firstFrame, seekMs, firstRowMs: figures.firstRow, rowsInDom, longTasks: figures.longTasks };
}

async function main(signal: AbortSignal): Promise<void> {
  const machine = machineFacts('embedded', loadavg()[0] ?? 0);
  progress('building the client if stale');
  await within(ensureClientBuilt(), BUILD_TIMEOUT_MS, 'building the client', signal);
  const storage = await freshStorage();
  const platform = await Platform.create(loadConfig(storage.env, { port: 0 }));
  const browser = await launchBrowser();
  try {
    progress(`synthesising a ${SHAPE.minutes}-minute recording with ffmpeg`);
    const dir = join(platform.config.dataDir, 'recordings', 'bench');
    await mkdir(dir, { recursive: true });
    const recording = await synthesise(dir, signal);

    progress(`seeding an ended interview with ${SHAPE.violations} flags`);
    const signedUp = await signUp(new GraphQLClient(platform.url, undefined, { timeoutMs: CALL_TIMEOUT_MS }), 'Review bench');
    const snapshot = join(dir, 'snapshot.jpg');
    await ffmpeg(['-f', 'lavfi', '-i', 'color=c=gray:s=64x48', '-frames:v', '1', snapshot], signal);
    const { interviewId } = await seedLargeInterview(platform.orm, platform.config.dataDir, signedUp.hostId, { ...SHAPE, jpegs: [snapshot] });
    const [seeded] = await platform.orm.em
      .getConnection()
      .execute<{ id: string; started_at: string }[]>('select c.id, i.started_at from candidates c join interviews i on i.id = c.interview_id where i.id = ?', [interviewId]);
    const recordings = new RecordingStore(platform.orm);
    const trackId = randomUUID();
    const startedAt = new Date(seeded!.started_at);
    await recordings.started({ id: trackId, interviewId, candidateId: seeded!.id, participant: 'CANDIDATE', kind: 'CAMERA', path: recording, startedAt });
    await recordings.ended(trackId, new Date(startedAt.getTime() + SHAPE.minutes * 60_000), (await stat(recording)).size);
    const host = signedUp.client;
    const { tracks } = (
      await host.ok('query($id: ID!, $candidateId: ID!) { recording(interviewId: $id, candidateId: $candidateId) { tracks { url } } }', {
        id: interviewId,
        candidateId: seeded!.id,
      })
    ).recording;
    const trackUrl = tracks[0].url as string;
    // The first request for a finalized track makes its seekable copy (a -c copy remux, once per
    // recording); timed here so that neither page's first run pays it unseen.
    progress('first request for the track (the server makes its seekable copy)');
    const remuxStart = performance.now();
    const first = await within(fetch(trackUrl, { headers: { range: 'bytes=0-0' }, signal }), FFMPEG_TIMEOUT_MS, 'the first request for the track', signal);
    await first.arrayBuffer();
    if (first.status !== 206) throw new Limit('server error', `the track answered ${first.status} to a range request`);
    const firstRequestMs = performance.now() - remuxStart;

    const baseline: PageFigures[] = [];
    const review: PageFigures[] = [];
    for (let run = 0; run < RUNS; run++) {
      progress(`run ${run + 1}/${RUNS}: baseline (a bare <video>)`);
      const bare = await browser.context.newPage();
      await bare.setViewportSize({ width: 1280, height: 720 });
      // The bare page: one <video> of the same file, nothing else, on the server's origin (a data:
      // page never loaded the video: the first run stopped there), answered by the browser itself.
      const bareUrl = `${platform.url}/bench-bare-video`;
      await bare.route(bareUrl, (route) => route.fulfill({ contentType: 'text/html', body: `<video id="bare" preload="auto" src="${trackUrl}"></video>` }));
      baseline.push(await measure(bare, bareUrl, '#bare', signal));
      await bare.close();
      progress(`run ${run + 1}/${RUNS}: the review page`);
      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 1280, height: 720 });
      const link = (await host.ok('mutation($id: ID!) { createReviewLink(interviewId: $id) { url } }', { id: interviewId })).createReviewLink.url as string;
      review.push(await measure(page, link, '#review-video', signal));
      await page.close();
    }
    report(machine, firstRequestMs, baseline, review);
    await rm(dir, { recursive: true, force: true });
  } finally {
    await browser.close();
    await platform.close();
    await storage.drop();
  }
}

function report(machine: ReturnType<typeof machineFacts>, firstRequestMs: number, baseline: PageFigures[], review: PageFigures[]): void {
  const summary = (runs: PageFigures[]) => {
    const seeks = runs.flatMap((r) => r.seekMs);
    const longTasks = runs.flatMap((r) => r.longTasks);
    return {
      openMsP50: percentile(
        runs.map((r) => r.openMs),
        50,
      ),
      seekMsP50: percentile(seeks, 50),
      seekMsP95: percentile(seeks, 95),
      firstRowMsP50: percentile(
        runs.map((r) => r.firstRowMs ?? NaN),
        50,
      ),
      rowsInDom: Math.max(...runs.map((r) => r.rowsInDom)),
      longTasksPerRun: longTasks.length / runs.length,
      longestTaskMs: Math.max(0, ...longTasks),
    };
  };
  const figures = { machine, shape: SHAPE, seeksPerRun: SEEKS, runs: RUNS, firstRequestMs, baseline: summary(baseline), review: summary(review) };
  if (values.json) {
    console.log(JSON.stringify(figures, null, 2));
    return;
  }
  const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : '—');
  console.log(
    [
      'bench/review — review page',
      ...machineLines(machine),
      `  data      ${SHAPE.minutes}-minute VP8 WebM 320×240 5 fps, ${SHAPE.violations} flags; ${RUNS} runs × ${SEEKS} random seeks`,
      `  first request for the track (seekable copy made): ${ms(firstRequestMs)}`,
      '',
      ...table(
        1,
        ['', 'bare <video>', 'review page', 'target', ''],
        [
          ['open → first frame (p50)', ms(figures.baseline.openMsP50), ms(figures.review.openMsP50), `≤ ${TARGETS.openMs} ms`, verdict(figures.review.openMsP50, TARGETS.openMs)],
          ['seek p50', ms(figures.baseline.seekMsP50), ms(figures.review.seekMsP50), `≤ ${TARGETS.seekMs} ms`, verdict(figures.review.seekMsP50, TARGETS.seekMs)],
          ['seek p95', ms(figures.baseline.seekMsP95), ms(figures.review.seekMsP95), `≤ ${TARGETS.seekMs} ms`, verdict(figures.review.seekMsP95, TARGETS.seekMs)],
          ['open → first flag row (p50)', '—', ms(figures.review.firstRowMsP50), '', ''],
          ['flag rows in the DOM', '—', String(figures.review.rowsInDom), `of ${SHAPE.violations}`, ''],
          [
            'long tasks per run (longest)',
            `${figures.baseline.longTasksPerRun.toFixed(1)} (${ms(figures.baseline.longestTaskMs)})`,
            `${figures.review.longTasksPerRun.toFixed(1)} (${ms(figures.review.longestTaskMs)})`,
            '',
            '',
          ],
        ],
      ),
    ].join('\n'),
  );
}

runBench(budgetMs(values.budget), main);
