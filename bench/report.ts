// `npm run bench:report [-- --json] [-- --budget S]`: reports for a 60-minute interview with 2,000 violations and
// 200 JPEG snapshots — generation time (load + score + render + store) and PDF size, job pickup
// after endInterview on the embedded database and on a PostgreSQL server, and reports per minute
// with two `proctor worker` processes. Baseline from the same run: a bare one-paragraph pdfmake
// document, rendered the same way. Kept short: the machine is shared. Bounded: every wait has a
// deadline, the run a budget (default 10 minutes); a stuck part ends the bench with a result line.
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import pdfmake from 'pdfmake';
import { loadConfig } from '../server/config.ts';
import { renderReportPdf } from '../server/reports/pdf.ts';
import { Platform } from '../server/platform.ts';
import { GraphQLClient, signUp } from '../test/support/graphql.ts';
import { runInterview } from '../test/support/interview-flow.ts';
import { spawnProctor } from '../test/support/proctor-cli.ts';
import { makeJpegs } from '../test/support/snapshots.ts';
import { embeddedStorage, probeServer, serverStorage, type Storage } from './support/dataset.ts';
import { CALL_TIMEOUT_MS, Limit, within } from './support/limits.ts';
import { machineFacts, machineLines } from './support/machine.ts';
import { seedLargeInterview } from './support/report-dataset.ts';
import { MIB, progress, table, verdict } from './support/report.ts';
import { budgetMs, ownChild, runBench } from './support/run.ts';

const SHAPE = { minutes: 60, violations: 2_000, snapshots: 200 };
const GENERATIONS = 5;
const PICKUPS = 10;
const WORKER_REPORTS = 8;
const TARGETS = { generationMs: 1_500, pdfBytes: 5 * MIB, pickupMs: 1_000 };
const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_BUDGET_SECONDS = 600;
/** endInterview → the job starts: past this the job runner is stuck, not slow. */
const PICKUP_TIMEOUT_MS = 30_000;
/** A `proctor worker` prints its first line once it polls for jobs. */
const WORKER_START_TIMEOUT_MS = 60_000;
/** Eight large reports on two workers: about a minute on a quiet 2-core machine. */
const WORKERS_TIMEOUT_MS = 300_000;

interface Generation {
  database: string;
  generateP50Ms: number;
  renderP50Ms: number;
  baselineRenderP50Ms: number;
  pdfBytes: number;
  pages: string;
}

interface Pickup {
  database: string;
  p50Ms: number;
  maxMs: number;
}

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, budget: { type: 'string', default: String(DEFAULT_BUDGET_SECONDS) } } });
runBench(budgetMs(values.budget), main);

async function main(signal: AbortSignal): Promise<void> {
  const serverUrl = process.env.PROCTOR_TEST_DATABASE_URL ?? DEFAULT_SERVER_URL;
  const server = await probeServer(serverUrl);
  const machine = machineFacts('version' in server ? server.version : `unreachable (${server.unreachable})`, loadavg()[0]!);
  const jpegDir = join(tmpdir(), `proctor-bench-jpegs-${process.pid}`);
  progress(`making ${SHAPE.snapshots} JPEG snapshots with ffmpeg`);
  const jpegs = await makeJpegs(jpegDir, SHAPE.snapshots);
  try {
    const generation = await withPlatform(await embeddedStorage(), {}, (platform, hostId) => measureGeneration(platform, hostId, jpegs, 'embedded', signal));
    const pickups: Pickup[] = [await withPlatform(await embeddedStorage(), {}, (platform) => measurePickup(platform, 'embedded', signal))];
    let throughput: { reportsPerMinute: number; seconds: number } | undefined;
    if ('version' in server) {
      pickups.push(await withPlatform(await serverStorage(serverUrl), {}, (platform) => measurePickup(platform, 'postgres', signal)));
      throughput = await measureWorkers(await serverStorage(serverUrl), jpegs, signal);
    } else progress(`PostgreSQL server unreachable (${server.unreachable}): server runs skipped`);
    const report = { machine, shape: SHAPE, generation, pickups, throughput };
    console.log(values.json ? JSON.stringify(report, null, 2) : format(report));
  } finally {
    await rm(jpegDir, { recursive: true, force: true });
  }
}

async function withPlatform<T>(storage: Storage, env: Record<string, string>, use: (platform: Platform, hostId: string) => Promise<T>): Promise<T> {
  const platform = await Platform.create(loadConfig(env, { port: 0, dataDir: storage.dataDir, databaseUrl: storage.databaseUrl, logLevel: 'warn' }));
  try {
    const { hostId } = await signUp(new GraphQLClient(platform.url, undefined, { timeoutMs: CALL_TIMEOUT_MS }), 'Report bench');
    return await use(platform, hostId);
  } finally {
    await platform.close();
    await storage.drop();
  }
}

/** generate() end to end (the job's work), then the render alone, then the bare-document baseline. */
async function measureGeneration(platform: Platform, hostId: string, jpegs: string[], database: string, signal: AbortSignal): Promise<Generation> {
  progress(`seeding a ${SHAPE.minutes}-minute interview: ${SHAPE.violations} violations, ${SHAPE.snapshots} snapshots`);
  const { reportId } = await seedLargeInterview(platform.orm, platform.config.dataDir, hostId, { minutes: SHAPE.minutes, violations: SHAPE.violations, jpegs });
  const connection = platform.orm.em.getConnection();
  const generate: number[] = [];
  for (let i = 0; i < GENERATIONS; i++) {
    signal.throwIfAborted();
    progress(`generation ${i + 1}/${GENERATIONS}`);
    await connection.execute(`update reports set status = 'PENDING', violation_log_sha256 = null where id = ?`, [reportId]);
    const started = performance.now();
    await platform.services.reports.generate(reportId);
    generate.push(performance.now() - started);
  }
  const [row] = await connection.execute<{ pdf_bytes: number; status: string }[]>('select pdf_bytes, status from reports where id = ?', [reportId]);
  if (row?.status !== 'READY') throw new Error(`the bench report is ${row?.status}`);
  const input = await platform.services.reports.buildInput(reportId);
  const render: number[] = [];
  const baseline: number[] = [];
  let pages = '';
  for (let i = 0; i < GENERATIONS; i++) {
    let started = performance.now();
    const pdf = await renderReportPdf(input);
    render.push(performance.now() - started);
    pages = `${(pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length}`;
    started = performance.now();
    await pdfmake.createPdf({ content: ['Baseline: one paragraph.'], defaultStyle: { font: 'Helvetica' } }).getBuffer();
    baseline.push(performance.now() - started);
  }
  return { database, generateP50Ms: median(generate), renderP50Ms: median(render), baselineRenderP50Ms: median(baseline), pdfBytes: row.pdf_bytes, pages };
}

/** From sending endInterview to this process starting the generate-report job. */
async function measurePickup(platform: Platform, database: string, signal: AbortSignal): Promise<Pickup> {
  const { client } = await signUp(new GraphQLClient(platform.url, undefined, { timeoutMs: CALL_TIMEOUT_MS }), 'Pickup bench');
  const delays: number[] = [];
  for (let i = 0; i < PICKUPS; i++) {
    progress(`${database}: pickup ${i + 1}/${PICKUPS}`);
    const { interviewId } = await runInterview(platform.url, client, { end: false });
    let stopWatching = () => {};
    const started = new Promise<number>((resolve) => {
      stopWatching = platform.jobs.onStart((name) => {
        if (name !== 'generate-report') return;
        stopWatching();
        resolve(performance.now());
      });
    });
    try {
      const sent = performance.now();
      await client.ok('mutation($id: ID!) { endInterview(id: $id) { status } }', { id: interviewId });
      delays.push((await within(started, PICKUP_TIMEOUT_MS, 'the generate-report job starting', signal)) - sent);
    } finally {
      stopWatching();
    }
  }
  return { database, p50Ms: median(delays), maxMs: Math.max(...delays) };
}

/** Two `proctor worker` processes on the server database; `proctor up`'s part only enqueues. */
async function measureWorkers(storage: Storage, jpegs: string[], signal: AbortSignal): Promise<{ reportsPerMinute: number; seconds: number }> {
  const env = { PROCTOR_DATA_DIR: storage.dataDir, PROCTOR_DATABASE_URL: storage.databaseUrl!, PROCTOR_LOG_LEVEL: 'warn' };
  return withPlatform(storage, { PROCTOR_RUN_JOBS: 'false' }, async (platform, hostId) => {
    progress(`seeding ${WORKER_REPORTS} large interviews for the two workers`);
    const reports = [];
    for (let i = 0; i < WORKER_REPORTS; i++)
      reports.push(await seedLargeInterview(platform.orm, platform.config.dataDir, hostId, { minutes: SHAPE.minutes, violations: SHAPE.violations, jpegs }));
    const workers = [0, 1].map(() => ownChild(spawnProctor(['worker', '--json'], env)));
    try {
      for (const worker of workers) {
        worker.stdin.end();
        await within(once(createInterface({ input: worker.stdout }), 'line'), WORKER_START_TIMEOUT_MS, 'proctor worker starting', signal);
      }
      progress(`two workers up: generating ${WORKER_REPORTS} reports`);
      const started = performance.now();
      for (const { reportId } of reports) await platform.jobs.enqueue('generate-report', { reportId });
      const connection = platform.orm.em.getConnection();
      for (;;) {
        const [row] = await connection.execute<{ ready: string }[]>(`select count(*) as ready from reports where status = 'READY'`);
        if (Number(row!.ready) >= WORKER_REPORTS) break;
        signal.throwIfAborted();
        if (performance.now() - started > WORKERS_TIMEOUT_MS) throw new Limit('ack timeout', `the workers did not finish within ${WORKERS_TIMEOUT_MS / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const seconds = (performance.now() - started) / 1000;
      return { reportsPerMinute: (WORKER_REPORTS / seconds) * 60, seconds };
    } finally {
      for (const worker of workers) worker.kill('SIGTERM');
      await Promise.all(workers.filter((worker) => worker.exitCode === null).map((worker) => once(worker, 'exit')));
    }
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function format(report: {
  machine: ReturnType<typeof machineFacts>;
  generation: Generation;
  pickups: Pickup[];
  throughput: { reportsPerMinute: number; seconds: number } | undefined;
}): string {
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  const { generation: g } = report;
  return [
    `Report bench: ${SHAPE.minutes}-minute interview, ${SHAPE.violations} violations, ${SHAPE.snapshots} snapshots`,
    ...machineLines(report.machine),
    '',
    ...table(
      1,
      ['figure', 'measured', 'target', 'verdict'],
      [
        [
          `generation p50 of ${GENERATIONS} (load + score + render + store, ${g.database})`,
          ms(g.generateP50Ms),
          `<= ${ms(TARGETS.generationMs)}`,
          verdict(g.generateP50Ms, TARGETS.generationMs),
        ],
        [`  of which rendering the PDF, p50`, ms(g.renderP50Ms), '', ''],
        [`  baseline: bare one-paragraph pdfmake document, p50`, ms(g.baselineRenderP50Ms), '', ''],
        [`PDF size (${g.pages} pages)`, `${(g.pdfBytes / MIB).toFixed(2)} MiB`, '<= 5 MiB', verdict(g.pdfBytes, TARGETS.pdfBytes)],
        ...report.pickups.map((p) => [
          `job pickup after endInterview, ${p.database}, p50 / max of ${PICKUPS}`,
          `${ms(p.p50Ms)} / ${ms(p.maxMs)}`,
          `<= ${ms(TARGETS.pickupMs)}`,
          verdict(p.maxMs, TARGETS.pickupMs),
        ]),
        ...(report.throughput
          ? [[`reports per minute, two workers (${WORKER_REPORTS} reports in ${report.throughput.seconds.toFixed(1)} s)`, report.throughput.reportsPerMinute.toFixed(0), '', '']]
          : []),
      ],
    ),
  ].join('\n');
}
