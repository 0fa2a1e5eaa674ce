// bench/review.ts — the review page's figures (issue 14):
//   page open → first frame playable (the <video>'s loadeddata, from navigation start),
//   open → first flag row and → every flag listed (the list renders page by page),
//   seek latency (currentTime set → seeked, random seeks over the hour once the page has every
//   flag; p50/p95),
//   scrolling the whole flag list top to bottom (programmatic, over a few seconds): frame
//   intervals (requestAnimationFrame), dropped frames, long tasks, rows in the DOM and the main
//   thread's CPU time per frame (thread time: the one figure a busy shared machine leaves alone),
//   and with `--trace` where that time goes (a Chromium trace's self time by event, per frame),
// on a synthesised 60-minute recording (320×240, 5 fps VP8: 60 s encoded, then looped with
// -c copy; checked with ffprobe to last the hour; cached in the temp dir between runs),
// registered as the candidate's camera track and finalized, so the server serves its seekable
// copy as it does for a real recording, and an ended interview with 2,000 flags, each with a
// snapshot. Beside each figure, the baseline measured in the same run: the same file in a bare
// <video> page, and for scrolling the same number of plain rows in a static list of the same size.
// Runs a real server in-process (embedded database, temp data dir) and headless Chromium.
// `--json` prints the figures as JSON.
// Bounded: every wait has a deadline, the run a budget (`--budget S`, default 10 minutes).
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CDPSession, Page } from 'playwright-core';
import { loadConfig } from '../server/config.ts';
import { RecordingStore } from '../server/media/recording-store.ts';
import { Platform } from '../server/platform.ts';
import { launchBrowser } from '../test/support/browser.ts';
import { ensureClientBuilt } from '../test/support/client-build.ts';
import { GraphQLClient, signUp } from '../test/support/graphql.ts';
import { freshStorage } from '../test/support/platform.ts';
import { CALL_TIMEOUT_MS, Limit, within } from './support/limits.ts';
import { machineFacts, machineLines } from './support/machine.ts';
import { traceMainThread, type MainThreadTime } from './support/main-thread-trace.ts';
import { seedLargeInterview } from './support/report-dataset.ts';
import { progress, table, verdict } from './support/report.ts';
import { budgetMs, ownChild, runBench } from './support/run.ts';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, trace: { type: 'boolean', default: false }, budget: { type: 'string', default: '600' } } });
const SHAPE = { minutes: 60, violations: 2000 };
const SEEKS = 40;
const RUNS = 3;
const BUILD_TIMEOUT_MS = 180_000;
const FFMPEG_TIMEOUT_MS = 240_000;
const PAGE_TIMEOUT_MS = 30_000;
const SEEK_TIMEOUT_MS = 10_000;
const TARGETS = { openMs: 1500, seekMs: 300 };
/** How long one scroll through the whole list takes (about 1,300 px a frame at 60 Hz: a fast fling). */
const SCROLL_MS = 3000;
const SCROLL_TIMEOUT_MS = SCROLL_MS + 20_000;
/** One frame at 60 Hz, what headless Chromium paces requestAnimationFrame at. */
const FRAME_MS = 1000 / 60;
/** A list's box and its rows' height (px). */
interface ListBox {
  width: number;
  height: number;
  rowHeight: number;
}

/** Where the synthesised hour is kept between runs (about 28 MB): making it is the slow part of a cold run. */
const CACHE_DIR = join(tmpdir(), 'proctor-bench-review');

/** A page under measure: the review page, or the baseline. */
interface Subject {
  url: string;
  /** The <video> whose first frame counts. */
  video: string;
  /** Present once the page has everything it loads (the review page: every flag listed). */
  settled: string;
  /** The list scrolled through, and the class its rows carry. */
  list: string;
  rowClass: string;
  /** The baseline: a static list of plain rows, in this box (the review page's list as laid out), is put on the page before the scroll. */
  plainList?: ListBox;
}

/**
 * Installed before any page script: when the first frame became playable, the first flag row
 * appeared, the page settled, and every long task. The first frame counts once the video is in the
 * document and has its current frame (readyState ≥ HAVE_CURRENT_DATA): a `loadeddata` listener on
 * the document alone never hears a video loaded before it was attached.
 */
const observers = (subject: Subject) => `
  window.__bench = { firstFrame: null, firstRow: null, settled: null, longTasks: [] };
  const frameReady = () => { window.__bench.firstFrame ??= performance.now(); };
  const watched = new WeakSet();
  const watch = (video) => {
    if (watched.has(video)) return;
    watched.add(video);
    if (video.readyState >= 2) frameReady();
    else video.addEventListener('loadeddata', frameReady, { once: true });
  };
  new MutationObserver((_, observer) => {
    const video = document.querySelector(${JSON.stringify(subject.video)});
    if (video) watch(video);
    if (document.querySelector('.flag')) window.__bench.firstRow ??= performance.now();
    if (document.querySelector(${JSON.stringify(subject.settled)})) window.__bench.settled ??= performance.now();
    if (window.__bench.firstFrame !== null && window.__bench.settled !== null) observer.disconnect();
  }).observe(document, { childList: true, subtree: true, attributes: true });
  new PerformanceObserver((list) => { for (const entry of list.getEntries()) window.__bench.longTasks.push(entry.duration); }).observe({ type: 'longtask', buffered: true });
`;

interface ScrollFigures {
  /** requestAnimationFrame to requestAnimationFrame while scrolling (ms). */
  frameMs: number[];
  longTasks: number[];
  /** The most rows in the DOM in any frame. */
  rowsInDom: number;
  reachedBottom: boolean;
  /** The page's main thread: CPU time per scrolled frame (ms), which a busy machine's waiting does not inflate. */
  cpuMsPerFrame: number;
  /** The list as laid out: the baseline's static list is given the review page's. */
  box: ListBox;
  /** With `--trace`: the main thread's time during the scroll by trace event. */
  trace?: MainThreadTime;
}

interface PageFigures {
  openMs: number;
  firstRowMs: number | null;
  settledMs: number;
  seekMs: number[];
  /** Long tasks from opening the page to the end of the seeks. */
  longTasks: number[];
  scroll: ScrollFigures;
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

/** The baseline's static list of plain rows (as many as the flags, as tall, in a box as big), laid out and painted. */
async function buildPlainList(page: Page, subject: Subject, box: ListBox, signal: AbortSignal): Promise<void> {
  await within(
    page.evaluate(
      ({ subject, rows, box }) =>
        new Promise<void>((resolve) => {
          const list = document.createElement('div');
          list.id = subject.list.slice(1);
          Object.assign(list.style, { position: 'fixed', top: '40px', right: '16px', width: `${box.width}px`, height: `${box.height}px`, overflowY: 'auto' });
          for (let i = 0; i < rows; i++) {
            const row = document.createElement('div');
            row.className = subject.rowClass;
            Object.assign(row.style, { height: `${box.rowHeight}px`, boxSizing: 'border-box', borderBottom: '1px solid #ddd', padding: '6px 8px' });
            row.textContent = `flag ${i + 1} · TAB_SWITCH · HIGH · 1.0 s · ×1`;
            list.append(row);
          }
          document.body.append(list);
          requestAnimationFrame(() => requestAnimationFrame(() => resolve()));
        }),
      { subject, rows: SHAPE.violations, box },
    ),
    PAGE_TIMEOUT_MS,
    'building the static list',
    signal,
  );
}

/** CPU time the page's main thread has spent in tasks (s), counted in thread time once `Performance.enable({ timeDomain: 'threadTicks' })`. */
async function mainThreadCpuS(session: CDPSession): Promise<number> {
  const { metrics } = await session.send('Performance.getMetrics');
  const taskDuration = metrics.find((metric) => metric.name === 'TaskDuration');
  if (!taskDuration) throw new Error('Chromium reported no TaskDuration metric');
  return taskDuration.value;
}

/**
 * Scrolls the list from top to bottom in SCROLL_MS, one step a frame, as a fling would: the time
 * between animation frames, the long tasks meanwhile, the most rows in the DOM and the main
 * thread's CPU time per frame. The baseline's static list is built (and painted) first.
 */
async function scrollThrough(page: Page, subject: Subject, signal: AbortSignal): Promise<ScrollFigures> {
  if (subject.plainList) await buildPlainList(page, subject, subject.plainList, signal);
  const box = await page.evaluate(({ list, rowClass }) => {
    const element = document.querySelector(list) as HTMLElement;
    return { width: element.clientWidth, height: element.clientHeight, rowHeight: (element.getElementsByClassName(rowClass)[0] as HTMLElement).offsetHeight };
  }, subject);
  const session = await page.context().newCDPSession(page);
  await session.send('Performance.enable', { timeDomain: 'threadTicks' });
  const cpuBefore = await mainThreadCpuS(session);
  const scroll = () =>
    within(
      page.evaluate(
        ({ subject, durationMs }) =>
          new Promise<Omit<ScrollFigures, 'cpuMsPerFrame' | 'box' | 'trace'>>((resolve) => {
            const list = document.querySelector(subject.list) as HTMLElement;
            const rendered = list.getElementsByClassName(subject.rowClass);
            const bottom = list.scrollHeight - list.clientHeight;
            const figures: Omit<ScrollFigures, 'cpuMsPerFrame' | 'box' | 'trace'> = { frameMs: [], longTasks: [], rowsInDom: 0, reachedBottom: false };
            const observer = new PerformanceObserver((entries) => {
              for (const entry of entries.getEntries()) figures.longTasks.push(entry.duration);
            });
            let start: number | undefined;
            let last = 0;
            const frame = (now: number) => {
              if (start === undefined) {
                start = now;
                observer.observe({ type: 'longtask' });
              } else figures.frameMs.push(now - last);
              last = now;
              figures.rowsInDom = Math.max(figures.rowsInDom, rendered.length);
              const progress = Math.min(1, (now - start) / durationMs);
              list.scrollTop = progress * bottom;
              if (progress < 1) return requestAnimationFrame(frame);
              // One more frame, so the last step's work is counted too.
              requestAnimationFrame((end) => {
                figures.frameMs.push(end - last);
                figures.rowsInDom = Math.max(figures.rowsInDom, rendered.length);
                figures.reachedBottom = list.scrollTop >= bottom - 1;
                observer.disconnect();
                resolve(figures);
              });
            };
            requestAnimationFrame(frame);
          }),
        { subject, durationMs: SCROLL_MS },
      ),
      SCROLL_TIMEOUT_MS,
      `scrolling ${subject.list}`,
      signal,
    );
  const { result: figures, time: trace } = values.trace ? await traceMainThread(session, scroll) : { result: await scroll(), time: undefined };
  const cpuMsPerFrame = (((await mainThreadCpuS(session)) - cpuBefore) * 1000) / figures.frameMs.length;
  await session.detach();
  return { ...figures, cpuMsPerFrame, box, trace };
}

async function measure(page: Page, subject: Subject, signal: AbortSignal): Promise<PageFigures> {
  await page.addInitScript(observers(subject));
  await within(page.goto(subject.url), PAGE_TIMEOUT_MS, 'opening the page', signal);
  await within(
    page.waitForFunction(() => (window as any).__bench.firstFrame !== null, undefined, { timeout: PAGE_TIMEOUT_MS, polling: 50 }),
    PAGE_TIMEOUT_MS,
    `the first frame of ${subject.video}`,
    signal,
  );
  await within(
    page.waitForFunction(() => (window as any).__bench.settled !== null, undefined, { timeout: PAGE_TIMEOUT_MS, polling: 50 }),
    PAGE_TIMEOUT_MS,
    `the page settled (${subject.settled})`,
    signal,
  );
  const seekMs = await seekLatencies(page, subject.video, signal);
  const figures = await page.evaluate(() => (window as any).__bench as { firstFrame: number; firstRow: number | null; settled: number; longTasks: number[] });
  const scroll = await scrollThrough(page, subject, signal);
  return { openMs: figures.firstFrame, firstRowMs: figures.firstRow, settledMs: figures.settled, seekMs, longTasks: figures.longTasks, scroll };
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
    // A snapshot for every flag: each row the scroll passes fetches its own.
    const { interviewId } = await seedLargeInterview(platform.orm, platform.config.dataDir, signedUp.hostId, {
      ...SHAPE,
      jpegs: Array.from({ length: SHAPE.violations }, () => snapshot),
    });
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
      progress(`run ${run + 1}/${RUNS}: the review page`);
      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 1280, height: 720 });
      const link = (await host.ok('mutation($id: ID!) { createReviewLink(interviewId: $id) { url } }', { id: interviewId })).createReviewLink.url as string;
      const subject = { url: link, video: '#review-video', settled: '.review-side[aria-busy="false"]', list: '#flag-list', rowClass: 'flag' };
      review.push(await measure(page, subject, signal));
      await page.close();
      progress(`run ${run + 1}/${RUNS}: baseline (a bare <video>)`);
      const bare = await browser.context.newPage();
      await bare.setViewportSize({ width: 1280, height: 720 });
      // The bare page: one <video> of the same file, nothing else, on the server's origin (a data:
      // page never loaded the video: the first run stopped there), answered by the browser itself.
      const bareUrl = `${platform.url}/bench-bare-video`;
      await bare.route(bareUrl, (route) => route.fulfill({ contentType: 'text/html', body: `<video id="bare" preload="auto" src="${trackUrl}"></video>` }));
      const plainList = review.at(-1)!.scroll.box;
      baseline.push(await measure(bare, { url: bareUrl, video: '#bare', settled: '#bare', list: '#plain-list', rowClass: 'plain-row', plainList }, signal));
      await bare.close();
    }
    report(machine, firstRequestMs, baseline, review);
    await rm(dir, { recursive: true, force: true });
  } finally {
    await browser.close();
    await platform.close();
    await storage.drop();
  }
}

/** Frames missed while scrolling: an interval of n frames' time missed n − 1 (as a share of the frames there should have been). */
function droppedShare(frameMs: number[]): number {
  const missed = frameMs.reduce((sum, ms) => sum + Math.max(0, Math.round(ms / FRAME_MS) - 1), 0);
  return missed / (frameMs.length + missed);
}

function report(machine: ReturnType<typeof machineFacts>, firstRequestMs: number, baseline: PageFigures[], review: PageFigures[]): void {
  const summary = (runs: PageFigures[]) => {
    const median = (pick: (run: PageFigures) => number | null) =>
      percentile(
        runs.map((run) => pick(run) ?? NaN),
        50,
      );
    const seeks = runs.flatMap((r) => r.seekMs);
    const longTasks = runs.flatMap((r) => r.longTasks);
    const frames = runs.flatMap((r) => r.scroll.frameMs);
    const scrollTasks = runs.flatMap((r) => r.scroll.longTasks);
    return {
      openMsP50: median((r) => r.openMs),
      firstRowMsP50: median((r) => r.firstRowMs),
      settledMsP50: median((r) => r.settledMs),
      seekMsP50: percentile(seeks, 50),
      seekMsP95: percentile(seeks, 95),
      longTasksPerRun: longTasks.length / runs.length,
      longestTaskMs: Math.max(0, ...longTasks),
      scroll: {
        frameMsP50: percentile(frames, 50),
        frameMsP95: percentile(frames, 95),
        frameMsMax: Math.max(0, ...frames),
        droppedShare: droppedShare(frames),
        longTasksPerRun: scrollTasks.length / runs.length,
        longestTaskMs: Math.max(0, ...scrollTasks),
        rowsInDom: Math.max(...runs.map((r) => r.scroll.rowsInDom)),
        cpuMsPerFrameP50: median((r) => r.scroll.cpuMsPerFrame),
        reachedBottom: runs.every((r) => r.scroll.reachedBottom),
      },
    };
  };
  const figures = {
    machine,
    shape: SHAPE,
    seeksPerRun: SEEKS,
    scrollMs: SCROLL_MS,
    runs: RUNS,
    firstRequestMs,
    baseline: summary(baseline),
    review: summary(review),
    ...(values.trace ? { baselineTrace: perFrame(baseline), reviewTrace: perFrame(review) } : {}),
  };
  if (values.json) {
    console.log(JSON.stringify(figures, null, 2));
    return;
  }
  const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : '—');
  const frames = (s: (typeof figures)['review']['scroll']) => `${s.frameMsP50.toFixed(1)} / ${s.frameMsP95.toFixed(1)} / ${Math.round(s.frameMsMax)} ms`;
  const tasks = (count: number, longest: number) => `${count.toFixed(1)} (${ms(longest)})`;
  const { baseline: base, review: page } = figures;
  console.log(
    [
      'bench/review — review page',
      ...machineLines(machine),
      `  data      ${SHAPE.minutes}-minute VP8 WebM 320×240 5 fps, ${SHAPE.violations} flags with a snapshot each; ${RUNS} runs × ${SEEKS} random seeks and one ${SCROLL_MS / 1000} s scroll through the list`,
      `  first request for the track (seekable copy made): ${ms(firstRequestMs)}`,
      '',
      ...table(
        1,
        ['', 'baseline', 'review page', 'target', ''],
        [
          ['open → first frame (p50)', ms(base.openMsP50), ms(page.openMsP50), `≤ ${TARGETS.openMs} ms`, verdict(page.openMsP50, TARGETS.openMs)],
          ['open → first flag row (p50)', '—', ms(page.firstRowMsP50), '', ''],
          ['open → every flag listed (p50)', '—', ms(page.settledMsP50), '', ''],
          ['seek p50', ms(base.seekMsP50), ms(page.seekMsP50), `≤ ${TARGETS.seekMs} ms`, verdict(page.seekMsP50, TARGETS.seekMs)],
          ['seek p95', ms(base.seekMsP95), ms(page.seekMsP95), `≤ ${TARGETS.seekMs} ms`, verdict(page.seekMsP95, TARGETS.seekMs)],
          ['long tasks per run, open + seeks (longest)', tasks(base.longTasksPerRun, base.longestTaskMs), tasks(page.longTasksPerRun, page.longestTaskMs), '', ''],
          ['scroll: frame interval p50 / p95 / max', frames(base.scroll), frames(page.scroll), `${FRAME_MS.toFixed(1)} ms a frame`, ''],
          ['scroll: dropped frames', percent(base.scroll.droppedShare), percent(page.scroll.droppedShare), '', ''],
          ['scroll: main-thread CPU per frame (p50 of runs)', cpu(base.scroll.cpuMsPerFrameP50), cpu(page.scroll.cpuMsPerFrameP50), '', ''],
          [
            'scroll: long tasks per run (longest)',
            tasks(base.scroll.longTasksPerRun, base.scroll.longestTaskMs),
            tasks(page.scroll.longTasksPerRun, page.scroll.longestTaskMs),
            '',
            '',
          ],
          ['scroll: rows in the DOM (most)', rows(base.scroll), rows(page.scroll), `of ${SHAPE.violations}`, ''],
        ],
      ),
      '  baseline: the same track in a bare <video preload=auto> page; for the scroll, the same number of plain rows (as tall) in a static list of the same size on it',
      ...(values.trace ? ['', ...traceLines('baseline', figures.baselineTrace), ...traceLines('review page', figures.reviewTrace)] : []),
    ].join('\n'),
  );
}

/** The scrolls' main-thread self time by trace event, in ms per scrolled frame over every run, largest first. */
function perFrame(runs: PageFigures[]): [string, number][] {
  const frames = runs.reduce((sum, run) => sum + run.scroll.frameMs.length, 0);
  const total = new Map<string, number>();
  for (const run of runs) for (const [name, ms] of run.scroll.trace?.selfMs ?? []) total.set(name, (total.get(name) ?? 0) + ms);
  return [...total].map(([name, ms]) => [name, ms / frames] as [string, number]).sort((a, b) => b[1] - a[1]);
}

const TRACE_LINES = 12;

function traceLines(subject: string, events: [string, number][] | undefined): string[] {
  const shown = (events ?? []).slice(0, TRACE_LINES);
  const rest = (events ?? []).slice(TRACE_LINES).reduce((sum, [, ms]) => sum + ms, 0);
  return [
    `  ${subject}, scroll: main-thread self time per frame by trace event`,
    ...shown.map(([name, ms]) => `    ${ms.toFixed(2).padStart(6)} ms  ${name}`),
    `    ${rest.toFixed(2).padStart(6)} ms  (the rest)`,
  ];
}

function cpu(msPerFrame: number): string {
  return `${msPerFrame.toFixed(1)} ms`;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

function rows(scroll: { rowsInDom: number; reachedBottom: boolean }): string {
  return `${scroll.rowsInDom}${scroll.reachedBottom ? '' : ' (bottom not reached)'}`;
}

runBench(budgetMs(values.budget), main);
