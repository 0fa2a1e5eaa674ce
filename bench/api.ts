// `npm run bench:api [-- --json] [-- --budget S]`: how fast `proctor up` gets ready, how much memory it holds idle,
// and how the dashboard's interview list holds up under 50 concurrent clients — on the embedded
// database and on a PostgreSQL server (PROCTOR_TEST_DATABASE_URL, default the local one).
// Speed is measured, not asserted: every figure is printed beside its target, and the GraphQL
// load beside the same load on /healthz (same HTTP stack, no database) from the same run.
// Bounded: requests have a deadline, the run a budget (default 10 minutes); a part whose server
// stops answering is reported as stopped, with the reason, and the other parts still run.
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startCpuWindow, type CpuShare } from './support/cpu-window.ts';
import { embeddedStorage, logIn, probeServer, seedInterviews, serverStorage, type Storage } from './support/dataset.ts';
import { runLoad, type LoadOptions, type LoadResult, type Request } from './support/load.ts';
import { HttpClient, type HttpResponse } from './support/http-client.ts';
import { asLimit, within } from './support/limits.ts';
import { machineFacts, machineLines, type MachineFacts } from './support/machine.ts';
import { currentStage, MIB, mebibytes, progress, table, verdict } from './support/report.ts';
import { freePort, ProctorProcess, type UpOptions } from './support/proctor-process.ts';
import { budgetMs, runBench } from './support/run.ts';

const INTERVIEWS = 10_000;
const PAGE_SIZE = 50;
const LOAD: LoadOptions = { clients: 50, warmUpMs: 2_000, measureMs: 10_000 };
const RESTARTS = 3;
const IDLE_MS = 5_000;
const TARGETS = { restartMs: 3_000, idleRssBytes: 200 * MIB, p99Ms: 20 };
/** Above this the load generator itself, not the server, is probably the bottleneck. */
const CLIENT_BOUND_CPU_PERCENT = 80;
/** Kernel networking alone stays well below this; more means other work competed for the cores. */
const BUSY_MACHINE_CPU_PERCENT = 50;
const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_BUDGET_SECONDS = 600;
/** Far above the p99 target: a request this slow means the server stopped answering. */
const REQUEST_TIMEOUT_MS = 10_000;
/** 10,000 rows in one INSERT … SELECT plus a sign-up: seconds on a working database. */
const SEED_TIMEOUT_MS = 120_000;

const INTERVIEWS_QUERY = `query($after: String) {
  interviews(first: ${PAGE_SIZE}, after: $after) { edges { node { id title status scheduledAt } } pageInfo { hasNextPage endCursor } }
}`;

interface InterviewsPage {
  interviews: { edges: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

interface StartupResult {
  firstStartMs: number;
  restartsMs: number[];
  restartMedianMs: number;
  restartMaxMs: number;
  idleRssBytes: number;
}

/**
 * CPU use over the whole load (warm-up included), in percent of one core. A server near 100 % is
 * the bottleneck (its JavaScript runs on one thread; on the embedded database PGlite shares it,
 * so database CPU is null there, as for a remote server); a bench near 100 % means the load
 * generator is. Other is the rest of the machine (kernel, anything else running meanwhile);
 * steal is time the hypervisor gave to other machines.
 */
interface MeasuredLoad extends LoadResult, CpuShare {}

interface LoadRun {
  database: 'embedded' | 'postgres';
  graphql: MeasuredLoad;
  /** The baseline: the same clients on /healthz of the same server. */
  healthz: MeasuredLoad;
  rssAfterLoadBytes: number;
}

interface Report {
  machine: MachineFacts;
  workload: { interviews: number; pageSize: number } & LoadOptions;
  targets: typeof TARGETS;
  /** Null when start-up could not be measured (see skipped). */
  startup: StartupResult | null;
  load: LoadRun[];
  skipped: string[];
  /** Anything that may have skewed a figure: an unclean stop, a saturated load generator, a busy machine. */
  notes: string[];
  totalSeconds: number;
}

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, budget: { type: 'string', default: String(DEFAULT_BUDGET_SECONDS) } } });
runBench(budgetMs(values.budget), main);

async function main(signal: AbortSignal): Promise<void> {
  const started = performance.now();
  // Before the bench adds its own load: tells whether the machine was quiet to begin with.
  const [loadAverageAtStart] = loadavg();
  const notes: string[] = [];
  const skipped: string[] = [];
  const adminUrl = process.env.PROCTOR_TEST_DATABASE_URL ?? DEFAULT_SERVER_URL;
  const server = await probeServer(adminUrl);

  const startup = await stoppable('start-up', skipped, () => measureStartup(notes, signal));
  const load: LoadRun[] = [];
  const runs: [LoadRun['database'], () => Promise<Storage>][] = [['embedded', embeddedStorage]];
  if ('version' in server) runs.push(['postgres', () => serverStorage(adminUrl)]);
  else skipped.push(`postgres: skipped: no PostgreSQL server (${server.unreachable})`);
  for (const [database, storage] of runs) {
    if (signal.aborted) skipped.push(`${database}: not run: ${(signal.reason as Error).message}`);
    else {
      const run = await stoppable(database, skipped, async () => measureLoad(database, await storage(), notes, signal));
      if (run) load.push(run);
    }
  }

  const report: Report = {
    machine: machineFacts('version' in server ? `${server.version} at ${new URL(adminUrl).host}` : 'none reachable', loadAverageAtStart!),
    workload: { interviews: INTERVIEWS, pageSize: PAGE_SIZE, ...LOAD },
    targets: TARGETS,
    startup,
    load,
    skipped,
    notes,
    totalSeconds: (performance.now() - started) / 1000,
  };
  console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
}

/** `measure()`, or null with a line saying where and why it stopped when the server hit a limit. */
async function stoppable<T>(part: string, skipped: string[], measure: () => Promise<T>): Promise<T | null> {
  try {
    return await measure();
  } catch (error) {
    const limit = asLimit(error);
    if (!limit) throw error;
    skipped.push(`${part}: stopped (${currentStage()}): ${limit.kind}: ${limit.message}`);
    progress(`${part}: stopped: ${limit.kind}: ${limit.message.split('\n', 1)[0]}`);
    return null;
  }
}

/** First start (initdb and migrations included), then restarts on the same data dir; idle RSS after the last. */
async function measureStartup(notes: string[], signal: AbortSignal): Promise<StartupResult> {
  const storage = await embeddedStorage();
  try {
    const up: UpOptions = { port: await freePort(), dataDir: storage.dataDir };
    progress('start-up: first start on a fresh data dir');
    const firstStartMs = await timeStart(up, notes, signal);
    const restartsMs: number[] = [];
    for (let i = 1; i < RESTARTS; i++) {
      signal.throwIfAborted();
      progress(`start-up: restart ${i} of ${RESTARTS}`);
      restartsMs.push(await timeStart(up, notes, signal));
    }
    progress(`start-up: restart ${RESTARTS} of ${RESTARTS}, then ${IDLE_MS / 1000} s idle`);
    const last = await startAndIdle(up, notes, signal);
    restartsMs.push(last.readyMs);
    return {
      firstStartMs,
      restartsMs,
      restartMedianMs: median(restartsMs),
      restartMaxMs: Math.max(...restartsMs),
      idleRssBytes: last.rssBytes,
    };
  } finally {
    await storage.drop();
  }
}

async function timeStart(up: UpOptions, notes: string[], signal: AbortSignal): Promise<number> {
  await using server = await ProctorProcess.start(up, signal);
  await stopCleanly(server, notes);
  return server.readyMs;
}

async function startAndIdle(up: UpOptions, notes: string[], signal: AbortSignal): Promise<{ readyMs: number; rssBytes: number }> {
  await using server = await ProctorProcess.start(up, signal);
  await sleep(IDLE_MS, undefined, { signal });
  const rssBytes = await server.rssBytes();
  await stopCleanly(server, notes);
  return { readyMs: server.readyMs, rssBytes };
}

/** Seeds, starts `proctor up` on the seeded storage, loads GraphQL then /healthz; drops the storage. */
async function measureLoad(database: LoadRun['database'], storage: Storage, notes: string[], signal: AbortSignal): Promise<LoadRun> {
  try {
    progress(`${database}: seeding ${INTERVIEWS.toLocaleString('en')} interviews`);
    const credentials = await within(seedInterviews(storage, INTERVIEWS), SEED_TIMEOUT_MS, 'seeding interviews', signal);
    await using server = await ProctorProcess.start({ port: await freePort(), dataDir: storage.dataDir, databaseUrl: storage.databaseUrl }, signal);
    const token = await logIn(server.url, credentials);
    using http = new HttpClient(server.url, LOAD.clients, REQUEST_TIMEOUT_MS);
    progress(`${database}: interviews(first: ${PAGE_SIZE}), ${describeLoad()}`);
    const graphql = await loadWithCpu(server, storage, () => interviewsPager(http, token), signal);
    progress(`${database}: /healthz baseline, ${describeLoad()}`);
    const healthz = await loadWithCpu(server, storage, () => healthzProbe(http), signal);
    noteDisturbances(database, { graphql, healthz }, notes);
    const rssAfterLoadBytes = await server.rssBytes();
    await stopCleanly(server, notes);
    return { database, graphql, healthz, rssAfterLoadBytes };
  } finally {
    await storage.drop();
  }
}

async function loadWithCpu(server: ProctorProcess, storage: Storage, newClient: () => Request, signal: AbortSignal): Promise<MeasuredLoad> {
  const endCpuWindow = await startCpuWindow(server, storage);
  const result = await runLoad(LOAD, newClient, signal);
  return { ...result, ...(await endCpuWindow()) };
}

/**
 * One client walking the whole list page by page and starting over at the end. Every page must
 * be full except the last, and a full walk must see every interview exactly as often as seeded:
 * a cursor that skipped or repeated rows would show up here.
 */
function interviewsPager(http: HttpClient, token: string): Request {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  let after: string | null = null;
  let seen = 0;
  return async () => {
    const response = await http.post('/graphql', JSON.stringify({ query: INTERVIEWS_QUERY, variables: { after } }), headers);
    const result = parseGraphQL(response);
    if (typeof result === 'string') return result;
    const { edges, pageInfo } = result.interviews;
    if (pageInfo.hasNextPage && edges.length !== PAGE_SIZE) return `${edges.length} edges on a page that is not the last`;
    seen += edges.length;
    after = pageInfo.hasNextPage ? pageInfo.endCursor : null;
    if (pageInfo.hasNextPage) return undefined;
    const walked = seen;
    seen = 0;
    return walked === INTERVIEWS ? undefined : `a full walk saw ${walked} interviews, not ${INTERVIEWS}`;
  };
}

/** The page, or what was wrong with the answer. */
function parseGraphQL(response: HttpResponse): InterviewsPage | string {
  if (response.status !== 200) return `HTTP ${response.status}`;
  const body = JSON.parse(response.body) as { data?: InterviewsPage | null; errors?: { message: string }[] };
  if (body.errors?.length) return `GraphQL error: ${body.errors[0]!.message}`;
  return body.data ?? 'no data';
}

function healthzProbe(http: HttpClient): Request {
  return async () => {
    const response = await http.get('/healthz');
    const ok = response.status === 200 && (JSON.parse(response.body) as { status?: string }).status === 'ok';
    return ok ? undefined : `HTTP ${response.status} ${response.body.slice(0, 200)}`;
  };
}

/** Flags rows limited by something other than the server: the load generator, or a busy machine. */
function noteDisturbances(database: string, loads: Record<'graphql' | 'healthz', MeasuredLoad>, notes: string[]): void {
  for (const [kind, load] of Object.entries(loads)) {
    if (load.benchPercent >= CLIENT_BOUND_CPU_PERCENT) {
      notes.push(`${database} ${kind}: the load generator used ${load.benchPercent.toFixed(0)} % of a core, so it limits that row, not the server`);
    }
    if (load.otherPercent + load.stealPercent >= BUSY_MACHINE_CPU_PERCENT) {
      notes.push(
        `${database} ${kind}: other processes used ${load.otherPercent.toFixed(0)} % of a core and steal was ` +
          `${load.stealPercent.toFixed(0)} %: the machine was not quiet, so that row understates the server`,
      );
    }
  }
}

/** A server that needs SIGKILL, or exits non-zero on SIGTERM, would skew the next start: say so. */
async function stopCleanly(server: ProctorProcess, notes: string[]): Promise<void> {
  const exit = await server.stop();
  if (exit.code !== 0) notes.push(`proctor up exited with code ${exit.code}, signal ${exit.signal} on SIGTERM`);
}

function formatReport(report: Report): string {
  const { machine, startup, targets } = report;
  const lines = [
    'Proctor API benchmark',
    ...machineLines(machine),
    `  workload  ${INTERVIEWS.toLocaleString('en')} interviews in one org; ${describeLoad()}; load generator on the same machine`,
    '',
    'Start-up: `proctor up` on the embedded database, spawn until /readyz answers 200',
    ...(startup
      ? [
          ...table(
            1,
            ['figure', 'value', 'target', ''],
            [
              ['first start (fresh data dir)', seconds(startup.firstStartMs), '', ''],
              [`restart, median of ${RESTARTS}`, seconds(startup.restartMedianMs), `<= ${seconds(targets.restartMs)}`, verdict(startup.restartMedianMs, targets.restartMs)],
              [`restart, max of ${RESTARTS}`, seconds(startup.restartMaxMs), `<= ${seconds(targets.restartMs)}`, verdict(startup.restartMaxMs, targets.restartMs)],
              [
                `idle RSS (${IDLE_MS / 1000} s after ready)`,
                mebibytes(startup.idleRssBytes),
                `<= ${mebibytes(targets.idleRssBytes)}`,
                verdict(startup.idleRssBytes, targets.idleRssBytes),
              ],
            ],
          ),
          `  restarts: ${startup.restartsMs.map(seconds).join(', ')}`,
        ]
      : ['  not measured (see below)']),
    '',
    `Load: ${LOAD.clients} clients; interviews(first: ${PAGE_SIZE}) walking every page, beside /healthz on the same server as the baseline`,
    `  CPU in % of one core (this machine has ${machine.cores * 100} %); database CPU n/a: embedded (counted in server CPU) or remote`,
    ...table(
      2,
      ['database', 'request', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors', 'server CPU', 'database CPU', 'bench CPU', 'other CPU', 'steal', 'p99 target', ''],
      report.load.flatMap((run) => [
        loadRow(run.database, `interviews(first: ${PAGE_SIZE})`, run.graphql, [`<= ${targets.p99Ms} ms`, verdict(run.graphql.p99Ms, targets.p99Ms)]),
        loadRow(run.database, '/healthz (baseline)', run.healthz, ['', '']),
      ]),
    ),
    ...report.load.map((run) => `  RSS after load, ${run.database}: ${mebibytes(run.rssAfterLoadBytes)}`),
    ...report.skipped.map((line) => `  ${line}`),
    ...errorLines(report.load),
    ...report.notes.map((note) => `Note: ${note}`),
    '',
    `Total ${report.totalSeconds.toFixed(0)} s`,
  ];
  return lines.join('\n');
}

function loadRow(database: string, request: string, result: MeasuredLoad, target: [string, string]): string[] {
  const { requestsPerSecond, p50Ms, p95Ms, p99Ms, maxMs, errors } = result;
  const latencies = [p50Ms, p95Ms, p99Ms, maxMs].map((ms) => ms.toFixed(1));
  const { serverPercent, databasePercent, benchPercent, otherPercent, stealPercent } = result;
  const cpu = [serverPercent, databasePercent, benchPercent, otherPercent, stealPercent].map((percent) => (percent === null ? 'n/a' : `${percent.toFixed(0)} %`));
  return [database, request, requestsPerSecond.toFixed(0), ...latencies, String(errors), ...cpu, ...target];
}

function errorLines(runs: LoadRun[]): string[] {
  return runs.flatMap((run) =>
    (['graphql', 'healthz'] as const).flatMap((kind) =>
      Object.entries(run[kind].errorCounts).map(([message, count]) => `Error (${run.database}, ${kind}) ×${count}: ${message}`),
    ),
  );
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function describeLoad(): string {
  return `${LOAD.clients} clients, ${LOAD.warmUpMs / 1000} s warm-up, ${LOAD.measureMs / 1000} s measured`;
}
