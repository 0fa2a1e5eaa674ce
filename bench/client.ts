// bench/client.ts — the candidate page's figures (issue: candidate page):
//   per-frame inference p50/p95 in the worker (detector over 3 views, landmarker),
//   the proctor engine's CPU share at 5 Hz (browser CPU of a joined page minus the same page's
//   camera preview without the engine: the baseline, measured in the same run),
//   page open → joined → publishing (camera + mic produced) → first video bytes at the SFU (the
//   server's own producer stats, polled every 10 ms), and the JS bundle gzipped (no wasm/models).
// Runs a real server in-process (embedded database, temp data dir) and headless Chromium with a
// fake camera made from test/fixtures/faces/one-face.png. `--json` prints the figures as JSON.
// Bounded: every wait on a page or the server has a deadline, the run a budget (`--budget S`,
// default 10 minutes); a stuck part ends the bench with a result line saying where.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadConfig } from '../server/config.ts';
import { Platform } from '../server/platform.ts';
import { CLIENT_DIST } from '../server/http/pages.ts';
import { launchBrowser, type TestBrowser } from '../test/support/browser.ts';
import { joinAsCandidate, liveInterview } from '../test/support/candidate-page.ts';
import { ensureClientBuilt } from '../test/support/client-build.ts';
import { fakeCamera } from '../test/support/fake-camera.ts';
import { freshStorage } from '../test/support/platform.ts';
import { processesCpuSeconds, cpuSecondsBetween } from './support/cpu.ts';
import { machineFacts, machineLines } from './support/machine.ts';
import { CALL_TIMEOUT_MS, Limit, within } from './support/limits.ts';
import { progress, table, verdict } from './support/report.ts';
import { budgetMs, runBench } from './support/run.ts';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, budget: { type: 'string', default: '600' } } });
const JSON_OUTPUT = values.json;
/** Vite building the candidate page when it is stale. */
const BUILD_TIMEOUT_MS = 180_000;
/** A page through consent and device check to joined, or one evaluate on it. */
const PAGE_TIMEOUT_MS = 60_000;
const RUNS = 5;
const CPU_WINDOW_MS = 15_000;
const TARGETS = { engineCpuPct: 15, bundleKb: 150, openToPublishingMs: 2000 };

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** The browser's processes: the one started with our profile dir and all its descendants. */
async function browserPids(browser: TestBrowser): Promise<number[]> {
  const parents = new Map<number, number>();
  let root: number | undefined;
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      parents.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      if (root === undefined && (await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes(`--user-data-dir=${browser.profileDir}`)) root = pid;
    } catch {
      // the process ended while we looked
    }
  }
  if (root === undefined) throw new Error('browser process not found');
  const tree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (!tree.has(pid) && tree.has(parent)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree];
}

async function browserCpuPct(browser: TestBrowser, windowMs: number): Promise<number> {
  const pids = await browserPids(browser);
  const before = await processesCpuSeconds(pids);
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const after = await processesCpuSeconds(await browserPids(browser));
  return (cpuSecondsBetween(before, after) / (windowMs / 1000)) * 100;
}

async function bundleSizes(): Promise<{ file: string; bytes: number; gzip: number }[]> {
  const dir = join(CLIENT_DIST, 'assets');
  const files = (await readdir(dir)).filter((f) => /\.(js|css)$/.test(f));
  return Promise.all(
    files.map(async (file) => {
      const content = await readFile(join(dir, file));
      return { file, bytes: content.length, gzip: gzipSync(content, { level: 9 }).length };
    }),
  );
}

/** When (epoch ms) the server first counts bytes on the interview's candidate camera producer. */
async function firstCandidateVideo(platform: Platform, interviewId: string): Promise<number> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 10))) {
    const producers = await platform.services.media.producerStats(interviewId);
    const camera = producers.find(({ producer }) => producer.role === 'CANDIDATE' && producer.kind === 'VIDEO');
    if (camera && camera.stats.some((stat) => stat.byteCount > 0)) return Date.now();
  }
  throw new Limit('ack timeout', 'no candidate video reached the SFU within 30 s');
}

runBench(budgetMs(values.budget), main);

async function main(signal: AbortSignal): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  progress('building the client if stale');
  await within(ensureClientBuilt(), BUILD_TIMEOUT_MS, 'building the client', signal);
  const storage = await freshStorage();
  storage.env.PROCTOR_LOG_LEVEL = 'warn';
  const platform = await Platform.create(loadConfig(storage.env, { port: 0 }));
  let browser: TestBrowser | undefined;
  try {
    browser = await launchBrowser({ fakeVideo: await fakeCamera('one-face') });
    progress(`page open → joined → publishing → first video at the SFU, ${RUNS} runs`);
    const joins: { joined: number; publishing: number; consent: number; firstVideo: number }[] = [];
    for (let run = 0; run < RUNS; run++) {
      signal.throwIfAborted();
      const fixture = await within(liveInterview(platform.url, { audioPolicy: 'IGNORE' }), CALL_TIMEOUT_MS, 'a live interview', signal);
      const firstVideoAt = firstCandidateVideo(platform, fixture.interviewId);
      // Awaited below; a join that fails first must not leave it rejecting unhandled.
      firstVideoAt.catch(() => {});
      const page = await within(joinAsCandidate(browser, fixture.link), PAGE_TIMEOUT_MS, 'the candidate page joining', signal);
      await page.waitForSelector('body[data-media="publishing"]', { timeout: 20_000 });
      const marks = await page.evaluate(() => {
        const at = (name: string) => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
        return { origin: performance.timeOrigin, consent: at('proctor:consent-shown'), joined: at('proctor:joined'), publishing: at('proctor:publishing') };
      });
      joins.push({ ...marks, firstVideo: (await firstVideoAt) - marks.origin });
      await page.close();
    }

    progress(`baseline: the camera preview alone, ${CPU_WINDOW_MS / 1000} s`);
    const preview = await browser.context.newPage();
    await preview.goto(`${platform.url}/healthz`);
    const previewing = preview.evaluate(async () => {
      const video = document.createElement('video');
      video.muted = true;
      video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
      document.body.append(video);
      await video.play();
    });
    await within(previewing, PAGE_TIMEOUT_MS, 'the camera preview starting', signal);
    const baselineCpu = await browserCpuPct(browser, CPU_WINDOW_MS);
    await preview.close();

    progress(`joined page with the engine at 5 Hz, ${CPU_WINDOW_MS / 1000} s`);
    // Not started: the page joins and runs the engine but publishes nothing yet (its room opens on
    // the start), so the difference to the baseline is the engine, not WebRTC's encoder.
    const fixture = await within(liveInterview(platform.url, { audioPolicy: 'IGNORE' }, { start: false }), CALL_TIMEOUT_MS, 'a live interview', signal);
    const page = await within(joinAsCandidate(browser, fixture.link), PAGE_TIMEOUT_MS, 'the candidate page joining', signal);
    await page.evaluate(() => {
      const results: { detectorMs: number; views: number; landmarkerMs: number | null }[] = [];
      (window as unknown as { benchResults: typeof results }).benchResults = results;
      addEventListener('proctor:face-result', (event) => results.push((event as CustomEvent).detail));
    });
    const engineCpu = await browserCpuPct(browser, CPU_WINDOW_MS);
    const results = await page.evaluate(() => (window as unknown as { benchResults: { detectorMs: number; views: number; landmarkerMs: number | null }[] }).benchResults);
    await page.close();

    const detector = results.filter((r) => r.views === 1).map((r) => r.detectorMs);
    const scans = results.filter((r) => r.views === 3).map((r) => r.detectorMs);
    const landmarker = results.flatMap((r) => (r.landmarkerMs === null ? [] : [r.landmarkerMs]));
    const rate = results.length / (CPU_WINDOW_MS / 1000);
    const bundle = await bundleSizes();
    const bundleGzipKb = bundle.reduce((sum, f) => sum + f.gzip, 0) / 1024;
    const figures = {
      machine: machineFacts('embedded (PGlite)', loadAtStart),
      inference: {
        frames: results.length,
        checksPerSecond: rate,
        detectorMs: { p50: percentile(detector, 50), p95: percentile(detector, 95) },
        detectorWithHalvesMs: { p50: percentile(scans, 50), p95: percentile(scans, 95) },
        landmarkerMs: { p50: percentile(landmarker, 50), p95: percentile(landmarker, 95) },
      },
      cpu: { baselinePreviewPct: baselineCpu, withEnginePct: engineCpu, enginePct: engineCpu - baselineCpu },
      openMs: {
        consentShown: percentile(
          joins.map((j) => j.consent),
          50,
        ),
        joinedP50: percentile(
          joins.map((j) => j.joined),
          50,
        ),
        joinedMax: Math.max(...joins.map((j) => j.joined)),
        publishingP50: percentile(
          joins.map((j) => j.publishing),
          50,
        ),
        publishingMax: Math.max(...joins.map((j) => j.publishing)),
        firstVideoAtSfuP50: percentile(
          joins.map((j) => j.firstVideo),
          50,
        ),
        firstVideoAtSfuMax: Math.max(...joins.map((j) => j.firstVideo)),
      },
      bundle: { files: bundle, totalGzipKb: bundleGzipKb },
    };
    if (JSON_OUTPUT) console.log(JSON.stringify(figures, null, 2));
    else {
      const ms = (v: number) => `${v.toFixed(1)} ms`;
      console.log(['bench/client — candidate page', ...machineLines(figures.machine), ''].join('\n'));
      console.log(`Face checks in the worker (${results.length} frames, ${rate.toFixed(1)} checks/s)`);
      console.log(
        table(
          1,
          ['', 'p50', 'p95'],
          [
            ['detector, whole frame (every check)', ms(figures.inference.detectorMs.p50), ms(figures.inference.detectorMs.p95)],
            ['detector, frame + both halves (every 5th)', ms(figures.inference.detectorWithHalvesMs.p50), ms(figures.inference.detectorWithHalvesMs.p95)],
            ['landmarker (one face, every 2nd check)', ms(figures.inference.landmarkerMs.p50), ms(figures.inference.landmarkerMs.p95)],
          ],
        ).join('\n'),
      );
      console.log('\nBrowser CPU (all Chromium processes, % of one core)');
      console.log(
        table(
          1,
          ['', 'CPU', 'target', ''],
          [
            ['baseline: camera preview, no engine', `${baselineCpu.toFixed(1)} %`, '', ''],
            ['joined page, engine at 5 Hz', `${engineCpu.toFixed(1)} %`, '', ''],
            ['engine share (difference)', `${figures.cpu.enginePct.toFixed(1)} %`, `< ${TARGETS.engineCpuPct} %`, verdict(figures.cpu.enginePct, TARGETS.engineCpuPct)],
          ],
        ).join('\n'),
      );
      console.log(`\nPage open → … (${RUNS} runs, loopback; consent and device check clicked at once)`);
      console.log(
        table(
          1,
          ['', 'p50', 'max', 'target', ''],
          [
            ['consent shown', ms(figures.openMs.consentShown), '', '', ''],
            ['joined (joinSession done, engine running)', ms(figures.openMs.joinedP50), ms(figures.openMs.joinedMax), '', ''],
            ['publishing (camera + mic produced)', ms(figures.openMs.publishingP50), ms(figures.openMs.publishingMax), '', ''],
            [
              'first video bytes at the SFU (server stats)',
              ms(figures.openMs.firstVideoAtSfuP50),
              ms(figures.openMs.firstVideoAtSfuMax),
              `<= ${TARGETS.openToPublishingMs} ms`,
              verdict(figures.openMs.firstVideoAtSfuP50, TARGETS.openToPublishingMs),
            ],
          ],
        ).join('\n'),
      );
      console.log('\nJS bundle (gzip -9; wasm and models excluded)');
      console.log(
        table(
          1,
          ['file', 'bytes', 'gzip'],
          bundle.map((f) => [f.file, String(f.bytes), `${(f.gzip / 1024).toFixed(1)} KB`]),
        ).join('\n'),
      );
      console.log(`  total ${bundleGzipKb.toFixed(1)} KB gzip (target <= ${TARGETS.bundleKb} KB: ${verdict(bundleGzipKb, TARGETS.bundleKb)})`);
    }
  } finally {
    await browser?.close();
    await platform.close();
    await storage.drop();
  }
}
