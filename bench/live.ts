// `node bench/live.ts [--candidates N] [--seconds S] [--json] [--profile] [--only embedded|postgres] [--ramp 1000,2000,…] [--budget S]`
//
// Live monitoring under load, against a real `proctor up` (a separate process) on the embedded
// database and on a PostgreSQL server (PROCTOR_TEST_DATABASE_URL, default the local one):
// N simulated candidates (default 500) on their own graphql-ws sockets, each reporting 2
// events/s (one batch per 500 ms) plus a heartbeat every 2 s, spread over 10 interviews with one
// host subscribed to each; a warm-up, then S seconds (default 30) measured. Then a ramp of 5 s
// steps at rising rates until p99 alert latency passes 100 ms or acks fall behind. Afterwards,
// with the server stopped, every acknowledged seq must be a row in `events` (lost = 0).
//
// Bounded: every wait on the server has a deadline and the whole run a budget (--budget, default
// 15 minutes). A server that saturates or stops answering ends the ramp at that step, or the
// run where it was (set-up included), with the reason; the report shows what was measured up
// to there and the process still exits 0. Only a bug of the bench exits 1 (130 on Ctrl-C).
//
// Baselines from the same run: a bare graphql-ws echo server's round trip under the same socket
// load, and raw `pg` multi-row INSERT rates into an events-shaped table on both databases.
// Figures are measured, not asserted: each is printed beside its target. `--profile` runs the
// server under `node --cpu-prof` and prints self time by package (profiling slows it down, so
// a profiled run's figures are marked as such). Progress goes to stderr.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { summarizeProfiles, type ProfileSummary } from './support/cpu-profile.ts';
import { startCpuWindow, type CpuShare } from './support/cpu-window.ts';
import { embeddedStorage, probeServer, serverStorage, type Storage } from './support/dataset.ts';
import { checkDurability, type Durability } from './support/durability.ts';
import { measureEcho, type EchoBaseline } from './support/echo-baseline.ts';
import { measureInsertRates, type InsertRate } from './support/insert-rate.ts';
import type { LatencySummary } from './support/latency.ts';
import { asLimit, within, type Limit, type LimitKind } from './support/limits.ts';
import { BATCH_PERIOD_MS, candidatesFor, LiveLoad, Phase, type HeartbeatStats, type PhaseSummary, type StrayAlerts } from './support/live-load.ts';
import { machineFacts, machineLines, type MachineFacts } from './support/machine.ts';
import { mebibytes, progress, table, verdict } from './support/report.ts';
import { freePort, ProctorProcess } from './support/proctor-process.ts';
import { budgetMs, positiveInteger, runBench } from './support/run.ts';
import { EmbeddedDatabase } from '../server/db/embedded.ts';

const DEFAULT_CANDIDATES = 500;
const DEFAULT_SECONDS = 30;
/** The whole run, both databases: the default run takes a fraction of this on a 2-core machine. */
const DEFAULT_BUDGET_SECONDS = 900;
/** Candidates are spread over this many interviews, each watched by one host's dashboard. */
const INTERVIEWS = 10;
const EVENTS_PER_CANDIDATE_PER_SECOND = 2;
/** JIT, connection pools and the server's session caches warm up before anything is measured. */
const WARM_UP_MS = 3_000;
const RAMP_STEP_MS = 5_000;
/** Finer around the targets (5,000 and 10,000), so a miss says by how much. */
const DEFAULT_RAMP = [1_000, 2_000, 3_000, 5_000, 7_500, 10_000, 15_000, 20_000];
/** After a phase's last send, how long its last acks and alerts may take before they count as never. */
const SETTLE_MS = 2_000;
/** After a failed step, time for the backlog to drain so the graceful stop does not time out. */
const BACKLOG_DRAIN_MS = 10_000;
/** Reading every event row back after the run: seconds on a working database, however large the run. */
const DURABILITY_TIMEOUT_MS = 30_000;
/**
 * A ramp step passes when alerts stay fast and the writer keeps up. "Keeps up" means every event
 * acknowledged, none refused, and ack p99 within one batch period: beyond that a page would
 * have more than one batch in flight, and the queue behind the group commit only grows.
 */
const STEP_LIMITS = { alertP99Ms: 100, ackP99Ms: BATCH_PERIOD_MS };
const TARGETS = { alertP99Ms: 25, alertAtEventsPerSecond: 1_000, sustainedPostgres: 10_000, sustainedEmbedded: 5_000, lost: 0 };
const ECHO = { warmUpMs: 1_000, measureMs: 5_000 };
/** 50 rows is a flush at 1,000 events/s (50 ms of them); 500 is the writer's largest flush. */
const INSERT_ROWS_PER_STATEMENT = [50, 500];
const INSERT_MS = 2_000;
const PROFILE_TOP = 12;
const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

type Database = 'embedded' | 'postgres';

interface Options {
  candidates: number;
  seconds: number;
  json: boolean;
  profile: boolean;
  databases: Database[];
  ramp: number[];
  budgetSeconds: number;
}

/** Why a step failed, or a run stopped: the kind of limit and what exactly was seen. */
interface Reason {
  kind: LimitKind;
  detail: string;
}

interface RampStep {
  offeredEventsPerSecond: number;
  acknowledgedEventsPerSecond: number;
  candidates: number;
  alert: LatencySummary;
  ack: LatencySummary;
  /** Null when the step never offered load (its extra candidates could not join). */
  cpu: CpuShare | null;
  passed: boolean;
  /** Why it failed (empty when it passed). */
  reasons: Reason[];
}

/** Where a run ended early and why. */
interface Stop extends Reason {
  stage: Stage;
}

type Stage = 'start-up' | 'set-up' | 'main run' | 'ramp';

type MainRun = PhaseSummary & { cpu: CpuShare; acknowledgedEventsPerSecond: number };

interface DatabaseRun {
  database: Database;
  /** Candidates joined when the load started (fewer than asked when set-up stopped). */
  candidatesJoined: number;
  /** Null when set-up did not finish. */
  setupSeconds: number | null;
  main: MainRun | null;
  ramp: RampStep[];
  /** The last passing ramp step's rate; 0 when even the first failed. */
  sustainedEventsPerSecond: number;
  /** Every ramp step passed: the real limit is higher than the bench went. */
  rampTopped: boolean;
  /** Null when the run got to its end (a failing ramp step is an end, not a stop). */
  stopped: Stop | null;
  /** Over the whole run: warm-up, main run and ramp; the durability figures are null when they could not be checked. */
  totals: EventTotals & (Durability | { [K in keyof Durability]: null });
  heartbeats: HeartbeatStats;
  strayAlerts: StrayAlerts;
  socketsLost: Record<string, number>;
  rssAfterMainBytes: number | null;
  rssPeakBytes: number | null;
  profile: (ProfileSummary & { dir: string }) | null;
}

interface EventTotals {
  sent: number;
  rejected: Record<string, number>;
  failures: Record<string, number>;
}

interface Report {
  machine: MachineFacts;
  workload: {
    candidates: number;
    interviews: number;
    eventsPerSecond: number;
    batchPeriodMs: number;
    warmUpMs: number;
    measuredMs: number;
    rampStepMs: number;
    ramp: number[];
    budgetSeconds: number;
  };
  targets: typeof TARGETS;
  stepLimits: typeof STEP_LIMITS;
  baselines: {
    /** Null when the echo baseline failed (see notes). */
    echo: (EchoBaseline & { where: string }) | null;
    inserts: ({ database: string } & InsertRate)[];
  };
  runs: DatabaseRun[];
  skipped: string[];
  notes: string[];
  profiled: boolean;
  totalSeconds: number;
}

const options = parseOptions();
runBench(options.budgetSeconds * 1000, (signal) => main(options, signal));

async function main(options: Options, signal: AbortSignal): Promise<void> {
  const started = performance.now();
  // Before the bench adds its own load: tells whether the machine was quiet to begin with.
  const [loadAverageAtStart] = loadavg();
  const notes: string[] = [];
  const skipped: string[] = [];
  const adminUrl = process.env.PROCTOR_TEST_DATABASE_URL ?? DEFAULT_SERVER_URL;
  const server = await probeServer(adminUrl);
  const postgres = 'version' in server && options.databases.includes('postgres');
  if (!('version' in server)) skipped.push(`postgres: skipped: no PostgreSQL server (${server.unreachable})`);

  progress(`baseline: bare graphql-ws echo server, ${options.candidates} sockets, one request per ${BATCH_PERIOD_MS} ms each`);
  const echo = await orNote(notes, 'echo baseline', () => measureEcho(options.candidates, ECHO.warmUpMs, ECHO.measureMs));
  const inserts = signal.aborted ? [] : await measureInserts(postgres ? adminUrl : undefined, options.databases.includes('embedded'), notes);

  const runs: DatabaseRun[] = [];
  const storages: [Database, () => Promise<Storage>][] = [];
  if (options.databases.includes('embedded')) storages.push(['embedded', embeddedStorage]);
  if (postgres) storages.push(['postgres', () => serverStorage(adminUrl)]);
  for (const [database, storage] of storages) {
    if (signal.aborted) skipped.push(`${database}: not run: ${(signal.reason as Error).message}`);
    else runs.push(await measureDatabase(database, await storage(), options, notes, signal));
  }

  const report: Report = {
    machine: machineFacts('version' in server ? `${server.version} at ${new URL(adminUrl).host}` : 'none reachable', loadAverageAtStart!),
    workload: {
      candidates: options.candidates,
      interviews: INTERVIEWS,
      eventsPerSecond: mainRate(options),
      batchPeriodMs: BATCH_PERIOD_MS,
      warmUpMs: WARM_UP_MS,
      measuredMs: options.seconds * 1000,
      rampStepMs: RAMP_STEP_MS,
      ramp: options.ramp,
      budgetSeconds: options.budgetSeconds,
    },
    targets: TARGETS,
    stepLimits: STEP_LIMITS,
    baselines: { echo: echo && { where: 'child process (graphql-ws useServer on ws, no yoga, no database)', ...echo }, inserts },
    runs,
    skipped,
    notes: [...notes, ...disturbances(runs)],
    profiled: options.profile,
    totalSeconds: (performance.now() - started) / 1000,
  };
  console.log(options.json ? JSON.stringify(report, jsonNumbers, 2) : formatReport(report));
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      candidates: { type: 'string', default: String(DEFAULT_CANDIDATES) },
      seconds: { type: 'string', default: String(DEFAULT_SECONDS) },
      json: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      only: { type: 'string' },
      ramp: { type: 'string', default: DEFAULT_RAMP.join(',') },
      budget: { type: 'string', default: String(DEFAULT_BUDGET_SECONDS) },
    },
  });
  const candidates = positiveInteger('--candidates', values.candidates);
  const seconds = positiveInteger('--seconds', values.seconds);
  const ramp = values.ramp.split(',').map((rate) => positiveInteger('--ramp', rate.trim()));
  const budgetSeconds = budgetMs(values.budget) / 1000;
  if (values.only !== undefined && values.only !== 'embedded' && values.only !== 'postgres') throw new Error('--only takes embedded or postgres');
  const databases: Database[] = values.only ? [values.only] : ['embedded', 'postgres'];
  return { candidates, seconds, json: values.json, profile: values.profile, databases, ramp, budgetSeconds };
}

function mainRate(options: Options): number {
  return options.candidates * EVENTS_PER_CANDIDATE_PER_SECOND;
}

/** `measure()`, or null with a note when the server it measures hit a limit (a bug still throws). */
async function orNote<T>(notes: string[], what: string, measure: () => Promise<T>): Promise<T | null> {
  try {
    return await measure();
  } catch (error) {
    const limit = asLimit(error);
    if (!limit) throw error;
    progress(`${what} failed: ${limit.kind}: ${firstLine(limit.message)}`);
    notes.push(`${what} failed: ${limit.kind}: ${limit.message}`);
    return null;
  }
}

/** Raw INSERT rates: PostgreSQL in a scratch database; PGlite as `proctor up` runs it, in this process. */
async function measureInserts(adminUrl: string | undefined, embedded: boolean, notes: string[]): Promise<({ database: string } & InsertRate)[]> {
  const rates: ({ database: string } & InsertRate)[] = [];
  if (adminUrl) {
    progress('baseline: raw pg multi-row INSERT on PostgreSQL');
    const scratch = await serverStorage(adminUrl);
    try {
      const measured = await orNote(notes, 'INSERT baseline on PostgreSQL', () => measureInsertRates(scratch.databaseUrl!, INSERT_ROWS_PER_STATEMENT, INSERT_MS));
      for (const rate of measured ?? []) rates.push({ database: 'postgres', ...rate });
    } finally {
      await scratch.drop();
    }
  }
  if (embedded) {
    progress('baseline: raw pg multi-row INSERT on PGlite over its wire server (in the bench process)');
    const scratch = await embeddedStorage();
    try {
      const database = await EmbeddedDatabase.create(join(scratch.dataDir, 'pgdata'), { waitTimeoutMs: 15_000 });
      try {
        const measured = await orNote(notes, 'INSERT baseline on PGlite', () => measureInsertRates(database.url, INSERT_ROWS_PER_STATEMENT, INSERT_MS));
        for (const rate of measured ?? []) rates.push({ database: 'embedded', ...rate });
      } finally {
        await database.close();
      }
    } finally {
      await scratch.drop();
    }
  }
  return rates;
}

/** The whole live run on one storage: set-up, warm-up, main run and ramp, then the durability check. */
async function measureDatabase(database: Database, storage: Storage, options: Options, notes: string[], signal: AbortSignal): Promise<DatabaseRun> {
  const profileDir = options.profile ? await mkdtemp(join(tmpdir(), `proctor-live-profile-${database}-`)) : undefined;
  try {
    const live = await runLive(database, storage, options, profileDir, notes, signal);
    const { acknowledged, phases, ...run } = live;
    let durability: Durability | null = null;
    // Before the load (start-up, set-up) nothing was sent, so there is nothing to check.
    if (phases.length === 0) durability = null;
    else if (run.stopped?.kind === 'interrupted') notes.push(`${database}: durability not checked: interrupted`);
    else {
      progress(`${database}: server stopped; comparing acknowledged seqs with the rows in events`);
      durability = await orNote(notes, `${database}: durability check`, () => within(checkDurability(storage, acknowledged), DURABILITY_TIMEOUT_MS, 'reading the events back'));
    }
    const unchecked = { acknowledged: null, persisted: null, lost: null, persistedUnacknowledged: null };
    return {
      database,
      ...run,
      sustainedEventsPerSecond: lastPassing(run.ramp),
      rampTopped: run.ramp.length === options.ramp.length && run.ramp.every((step) => step.passed),
      totals: { ...phaseTotals(phases), ...(durability ?? unchecked) },
      profile: profileDir ? { dir: profileDir, ...(await summarizeProfiles(profileDir, PROFILE_TOP)) } : null,
    };
  } catch (error) {
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
    throw error;
  } finally {
    await storage.drop().catch((error: Error) => notes.push(`${database}: scratch storage not removed: ${error.message}`));
  }
}

type LiveRun = Pick<
  DatabaseRun,
  'candidatesJoined' | 'setupSeconds' | 'main' | 'ramp' | 'stopped' | 'heartbeats' | 'strayAlerts' | 'socketsLost' | 'rssAfterMainBytes' | 'rssPeakBytes'
> & {
  acknowledged: Map<string, number[]>;
  phases: Phase[];
};

/**
 * Everything that needs the server up. A limit the server hits (or the budget, or Ctrl-C) ends
 * the run where it is: what was measured so far is kept, and `stopped` says where and why.
 * Sockets close and the server stops (gracefully) before it returns.
 */
async function runLive(database: Database, storage: Storage, options: Options, profileDir: string | undefined, notes: string[], signal: AbortSignal): Promise<LiveRun> {
  const run: LiveRun = {
    candidatesJoined: 0,
    setupSeconds: null,
    main: null,
    ramp: [],
    stopped: null,
    heartbeats: { sent: 0, ok: 0, failures: {} },
    strayAlerts: { heartbeatLost: 0, unmatched: 0 },
    socketsLost: {},
    rssAfterMainBytes: null,
    rssPeakBytes: null,
    acknowledged: new Map(),
    phases: [],
  };
  const setupStarted = performance.now();
  let stage: Stage = 'start-up';
  let server: ProctorProcess | undefined;
  let load: LiveLoad | undefined;
  try {
    progress(`${database}: starting proctor up${profileDir ? ' under --cpu-prof' : ''}`);
    server = await startServer(storage, profileDir, signal);
    stage = 'set-up';
    progress(`${database}: ${INTERVIEWS} hosts with an interview each; ${options.candidates} candidates invited, connected and joined`);
    load = await LiveLoad.prepare(server.url, INTERVIEWS);
    await load.addCandidates(options.candidates, signal, (joined) => progress(`${database}: ${joined}/${options.candidates} candidates joined`));
    run.candidatesJoined = load.candidates.length;
    run.setupSeconds = (performance.now() - setupStarted) / 1000;
    load.startHeartbeats();
    stage = 'main run';
    run.main = await mainRun(database, server, storage, load, options, run.phases, signal);
    run.rssAfterMainBytes = run.rssPeakBytes = await server.rssBytes();
    stage = 'ramp';
    await rampUp(database, server, storage, load, options, run, signal);
  } catch (error) {
    const limit = asLimit(error);
    if (!limit) throw error;
    run.stopped = { stage, kind: limit.kind, detail: limit.message };
    progress(`${database}: stopped in ${stage}: ${limit.kind}: ${firstLine(limit.message)}`);
  } finally {
    if (load) {
      if (run.setupSeconds === null) run.candidatesJoined = load.candidates.length;
      await load.close();
      Object.assign(run, { heartbeats: load.heartbeats, strayAlerts: load.strayAlerts, socketsLost: load.socketsLost, acknowledged: load.acknowledgedBySession() });
    }
    if (server) await stopCleanly(server, database, notes);
  }
  return run;
}

/** Warm-up (counted for durability only), then the measured run at the candidates' own rate. */
async function mainRun(database: Database, server: ProctorProcess, storage: Storage, load: LiveLoad, options: Options, phases: Phase[], signal: AbortSignal): Promise<MainRun> {
  const rate = mainRate(options);
  progress(`${database}: ${WARM_UP_MS / 1000} s warm-up, then ${options.seconds} s at ${rate.toLocaleString('en')} events/s`);
  const warmUp = new Phase('warm-up', rate, WARM_UP_MS);
  phases.push(warmUp);
  await load.offer(warmUp, signal);
  const main = new Phase('main', rate, options.seconds * 1000);
  phases.push(main);
  const cpu = await withCpu(server, storage, () => load.offer(main, signal));
  await load.settle(main, SETTLE_MS, signal);
  const summary = main.summary();
  return { ...summary, cpu, acknowledgedEventsPerSecond: summary.acknowledgedEvents / options.seconds };
}

/**
 * Rising offered rates until a step fails; more candidates join when a rate needs them. A step
 * whose extra candidates cannot join fails with that reason without offering load.
 */
async function rampUp(database: Database, server: ProctorProcess, storage: Storage, load: LiveLoad, options: Options, run: LiveRun, signal: AbortSignal): Promise<void> {
  for (const rate of options.ramp) {
    const needed = candidatesFor(rate);
    if (load.candidates.length < needed) {
      const more = needed - load.candidates.length;
      progress(`${database}: ${more} more candidates, so that no session goes past its rate limit`);
      await load.stopHeartbeats();
      const joining = await load
        .addCandidates(more, signal, (joined) => progress(`${database}: ${joined}/${more} more candidates joined`))
        .then(
          () => undefined,
          (error: unknown) => {
            const limit = asLimit(error);
            if (!limit || limit.kind === 'interrupted' || limit.kind === 'budget spent') throw error;
            return limit;
          },
        );
      load.startHeartbeats();
      if (joining) {
        run.ramp.push(unrunStep(rate, load.candidates.length, joining));
        progress(`${database}: ramp stopped at ${rate.toLocaleString('en')} events/s: ${joining.kind}: ${firstLine(joining.message)}`);
        return;
      }
    }
    progress(`${database}: ramp step ${rate.toLocaleString('en')} events/s for ${RAMP_STEP_MS / 1000} s`);
    const phase = new Phase(`ramp ${rate}`, rate, RAMP_STEP_MS);
    run.phases.push(phase);
    const socketsLostBefore = sum(load.socketsLost);
    const cpu = await withCpu(server, storage, () => load.offer(phase, signal));
    await load.settle(phase, SETTLE_MS, signal);
    run.rssPeakBytes = Math.max(run.rssPeakBytes ?? 0, await server.rssBytes());
    const step = judgeStep(phase.summary(), cpu, load.candidates.length, sum(load.socketsLost) - socketsLostBefore);
    run.ramp.push(step);
    if (!step.passed) {
      progress(`${database}: ramp limit at ${rate.toLocaleString('en')} events/s: ${step.reasons.map((reason) => `${reason.kind}: ${reason.detail}`).join('; ')}`);
      await load.settle(phase, BACKLOG_DRAIN_MS, signal);
      return;
    }
  }
}

function judgeStep(summary: PhaseSummary, cpu: CpuShare, candidates: number, socketsLost: number): RampStep {
  const reasons: Reason[] = [];
  if (!(summary.alert.p99Ms <= STEP_LIMITS.alertP99Ms)) reasons.push(latencyReason('alert', summary.alert, STEP_LIMITS.alertP99Ms));
  if (!(summary.ack.p99Ms <= STEP_LIMITS.ackP99Ms)) reasons.push(latencyReason('ack', summary.ack, STEP_LIMITS.ackP99Ms));
  for (const [kind, n] of Object.entries(summary.failureKinds)) reasons.push({ kind: kind as LimitKind, detail: `${n} reportEvents calls failed` });
  if (socketsLost > 0) reasons.push({ kind: 'connect failure', detail: `${socketsLost} sockets lost` });
  const unacknowledged = summary.sentEvents - summary.acknowledgedEvents;
  const rejected = sum(summary.rejected);
  if (summary.unanswered > 0)
    reasons.push({ kind: 'ack timeout', detail: `${summary.unanswered} of ${summary.batches} reportEvents calls unanswered ${SETTLE_MS / 1000} s after the step` });
  if (rejected > 0) reasons.push({ kind: 'server error', detail: `${rejected} of ${summary.sentEvents} events refused (${Object.keys(summary.rejected).join(', ')})` });
  else if (unacknowledged > 0 && reasons.length === 0) reasons.push({ kind: 'ack timeout', detail: `${unacknowledged} of ${summary.sentEvents} events not acknowledged` });
  return {
    offeredEventsPerSecond: summary.offeredEventsPerSecond,
    acknowledgedEventsPerSecond: summary.acknowledgedEvents / (summary.durationMs / 1000),
    candidates,
    alert: summary.alert,
    ack: summary.ack,
    cpu,
    passed: reasons.length === 0,
    reasons,
  };
}

/** A latency past its bound: 'p99 over bound' when it came late, 'ack timeout' when it never came. */
function latencyReason(what: 'alert' | 'ack', latency: LatencySummary, boundMs: number): Reason {
  if (latency.p99Ms === Infinity) return { kind: 'ack timeout', detail: `${latency.missing} of ${latency.samples} ${what}s never came (p99 never)` };
  return { kind: 'p99 over bound', detail: `${what} p99 ${milliseconds(latency.p99Ms)} > ${boundMs} ms` };
}

/** A ramp step that offered no load: its extra candidates could not join. */
function unrunStep(rate: number, candidates: number, limit: Limit): RampStep {
  const none: LatencySummary = { samples: 0, missing: 0, p50Ms: NaN, p95Ms: NaN, p99Ms: NaN, maxMs: NaN };
  return {
    offeredEventsPerSecond: rate,
    acknowledgedEventsPerSecond: NaN,
    candidates,
    alert: none,
    ack: none,
    cpu: null,
    passed: false,
    reasons: [{ kind: limit.kind, detail: `more candidates could not join: ${limit.message}` }],
  };
}

function lastPassing(steps: RampStep[]): number {
  let sustained = 0;
  for (const step of steps) {
    if (!step.passed) break;
    sustained = step.offeredEventsPerSecond;
  }
  return sustained;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]!;
}

async function withCpu(server: ProctorProcess, storage: Storage, work: () => Promise<void>): Promise<CpuShare> {
  const end = await startCpuWindow(server, storage);
  await work();
  return end();
}

function phaseTotals(phases: Phase[]): EventTotals {
  const rejected: Record<string, number> = {};
  const failures: Record<string, number> = {};
  let sent = 0;
  for (const phase of phases) {
    sent += phase.sentEvents;
    for (const [code, count] of Object.entries(phase.rejected)) rejected[code] = (rejected[code] ?? 0) + count;
    for (const [message, count] of Object.entries(phase.failures)) failures[message] = (failures[message] ?? 0) + count;
  }
  return { sent, rejected, failures };
}

async function startServer(storage: Storage, profileDir: string | undefined, signal: AbortSignal): Promise<ProctorProcess> {
  const options = { port: await freePort(), dataDir: storage.dataDir, databaseUrl: storage.databaseUrl };
  if (!profileDir) return ProctorProcess.start(options, signal);
  // ProctorProcess hands the bench's environment (minus PROCTOR_*) to the server and spawns
  // synchronously inside start(): NODE_OPTIONS set around that call reaches this server only.
  const previous = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `${previous ?? ''} --cpu-prof --cpu-prof-dir=${profileDir}`.trim();
  const starting = ProctorProcess.start(options, signal);
  if (previous === undefined) delete process.env.NODE_OPTIONS;
  else process.env.NODE_OPTIONS = previous;
  return starting;
}

/** A server that needs SIGKILL, or exits non-zero on SIGTERM, may have lost queued events (and its profile). */
async function stopCleanly(server: ProctorProcess, database: Database, notes: string[]): Promise<void> {
  const exit = await server.stop();
  if (exit.code !== 0) notes.push(`${database}: proctor up exited with code ${exit.code}, signal ${exit.signal} on SIGTERM`);
}

/** Above this the load generator itself, not the server, is probably the bottleneck. */
const CLIENT_BOUND_CPU_PERCENT = 80;
/** Kernel networking alone stays well below this; more means other work competed for the cores. */
const BUSY_MACHINE_CPU_PERCENT = 50;

/** Flags figures limited by something other than the server: the load generator, or a busy machine. */
function disturbances(runs: DatabaseRun[]): string[] {
  const notes: string[] = [];
  for (const run of runs) {
    const windows: [string, CpuShare | null | undefined][] = [
      ['main run', run.main?.cpu],
      ...run.ramp.map((step): [string, CpuShare | null] => [`ramp ${step.offeredEventsPerSecond}`, step.cpu]),
    ];
    for (const [name, cpu] of windows) {
      if (!cpu) continue;
      if (cpu.benchPercent >= CLIENT_BOUND_CPU_PERCENT) {
        notes.push(`${run.database} ${name}: the load generator used ${cpu.benchPercent.toFixed(0)} % of a core, so it may limit that row, not the server`);
      }
      if (cpu.otherPercent + cpu.stealPercent >= BUSY_MACHINE_CPU_PERCENT) {
        notes.push(
          `${run.database} ${name}: other processes used ${cpu.otherPercent.toFixed(0)} % of a core and steal was ${cpu.stealPercent.toFixed(0)} %: ` +
            'the machine was not quiet, so that row understates the server',
        );
      }
    }
  }
  return notes;
}

function formatReport(report: Report): string {
  const { machine, workload, baselines, runs } = report;
  const lines = [
    `Proctor live monitoring benchmark${report.profiled ? ' (PROFILED: the server ran under --cpu-prof, figures are slower than normal)' : ''}`,
    ...machineLines(machine),
    `  workload  ${describeWorkload(workload)}`,
    `  budget    ${workload.budgetSeconds} s for the whole run; a server that stops answering ends its run there, with the reason`,
    '',
    ...formatBaselines(baselines),
    '',
    ...formatMainRuns(runs, workload),
    '',
    ...formatTotals(runs),
    '',
    ...formatRamp(runs),
    '',
    ...formatServer(runs),
    '',
    ...formatTargets(report),
    ...runs.flatMap(formatProfile),
    ...runs.flatMap(stopLines),
    ...report.skipped.map((line) => `  ${line}`),
    ...runs.flatMap(errorLines),
    ...report.notes.map((note) => `Note: ${note}`),
    '',
    `Total ${report.totalSeconds.toFixed(0)} s`,
  ];
  return lines.join('\n');
}

function describeWorkload(workload: Report['workload']): string {
  return (
    `${workload.candidates} candidates (one graphql-ws socket each) in ${workload.interviews} interviews, one host subscribed to each; ` +
    `${EVENTS_PER_CANDIDATE_PER_SECOND} events/s per candidate in one batch per ${workload.batchPeriodMs} ms = ${workload.eventsPerSecond.toLocaleString('en')} events/s, and a heartbeat every 2 s; ` +
    `${workload.warmUpMs / 1000} s warm-up, ${workload.measuredMs / 1000} s measured; load generator on the same machine`
  );
}

function formatBaselines(baselines: Report['baselines']): string[] {
  const { echo, inserts } = baselines;
  return [
    'Baselines (same run, same machine)',
    ...(echo
      ? [
          `  bare graphql-ws echo server, ${echo.where}:`,
          `  ${echo.sockets} sockets, one request per ${BATCH_PERIOD_MS} ms each (${echo.requestsPerSecond.toFixed(0)} requests/s), ${ECHO.measureMs / 1000} s after ${ECHO.warmUpMs / 1000} s warm-up`,
          ...table(
            0,
            ['round trip p50', 'p95', 'p99', 'max', 'errors', 'server CPU'],
            [
              [
                milliseconds(echo.roundTrip.p50Ms),
                milliseconds(echo.roundTrip.p95Ms),
                milliseconds(echo.roundTrip.p99Ms),
                milliseconds(echo.roundTrip.maxMs),
                String(echo.errors),
                percent(echo.serverCpuPercent),
              ],
            ],
          ),
        ]
      : ['  bare graphql-ws echo server: failed (see the notes)']),
    `  raw pg multi-row INSERT into an events-shaped table (no foreign keys), one statement at a time on one connection, ${INSERT_MS / 1000} s each;`,
    "  embedded = PGlite over its wire server with proctor up's settings, in the bench process",
    ...table(
      1,
      ['database', 'rows/statement', 'rows/s', 'statement p50', 'statement p99'],
      inserts.map((rate) => [rate.database, String(rate.rowsPerStatement), count(rate.rowsPerSecond), milliseconds(rate.statementP50Ms), milliseconds(rate.statementP99Ms)]),
    ),
  ];
}

function formatMainRuns(runs: DatabaseRun[], workload: Report['workload']): string[] {
  return [
    `Live monitoring at ${workload.eventsPerSecond.toLocaleString('en')} events/s offered, ${workload.measuredMs / 1000} s measured (alert = emit → host receives the LiveAlert; ack = reportEvents answered, i.e. committed)`,
    '  CPU in % of one core (this machine has 200 %); database CPU n/a on the embedded database (inside the server process)',
    ...table(
      1,
      ['database', 'acked/s', 'alert p50', 'p95', 'p99', 'max', 'ack p50', 'ack p99', 'server CPU', 'database CPU', 'bench CPU', 'other CPU', 'steal', 'alert p99 target', ''],
      runs.flatMap((run) => {
        const { main } = run;
        if (!main) return [];
        const cpu = cpuCells(main.cpu);
        const target = alertAtTargetRate(run);
        return [
          [
            run.database,
            count(main.acknowledgedEventsPerSecond),
            milliseconds(main.alert.p50Ms),
            milliseconds(main.alert.p95Ms),
            milliseconds(main.alert.p99Ms),
            milliseconds(main.alert.maxMs),
            milliseconds(main.ack.p50Ms),
            milliseconds(main.ack.p99Ms),
            ...cpu,
            `<= ${TARGETS.alertP99Ms} ms at ${TARGETS.alertAtEventsPerSecond.toLocaleString('en')}/s`,
            target === undefined ? 'n/a' : verdict(target, TARGETS.alertP99Ms),
          ],
        ];
      }),
    ),
    ...runs.filter((run) => !run.main).map((run) => `  ${run.database}: not measured (${describeStop(run.stopped)})`),
  ];
}

function formatTotals(runs: DatabaseRun[]): string[] {
  return [
    'Events over the whole run (warm-up, main run and ramp); persisted = rows in events, counted after the server stopped',
    ...table(
      1,
      ['database', 'sent', 'acknowledged', 'rejected', 'failed calls', 'persisted', 'lost', 'persisted, not acked', 'lost target', ''],
      runs.map((run) => {
        const { totals } = run;
        return [
          run.database,
          count(totals.sent),
          checked(totals.acknowledged),
          count(sum(totals.rejected)),
          count(sum(totals.failures)),
          checked(totals.persisted),
          checked(totals.lost),
          checked(totals.persistedUnacknowledged),
          `= ${TARGETS.lost}`,
          totals.lost === null ? 'not checked' : totals.lost === TARGETS.lost ? 'ok' : 'MISSED',
        ];
      }),
    ),
  ];
}

function formatRamp(runs: DatabaseRun[]): string[] {
  return [
    `Ramp: ${RAMP_STEP_MS / 1000} s steps; a step passes with alert p99 <= ${STEP_LIMITS.alertP99Ms} ms, ack p99 <= ${STEP_LIMITS.ackP99Ms} ms and every event acknowledged;`,
    '  the first that does not is the limit, with its reasons (ack timeout, p99 over bound, connect failure, server error)',
    ...table(
      1,
      [
        'database',
        'offered/s',
        'acked/s',
        'candidates',
        'alert p50',
        'alert p99',
        'ack p50',
        'ack p99',
        'server CPU',
        'database CPU',
        'bench CPU',
        'other CPU',
        'steal',
        'result',
      ],
      runs.flatMap((run) =>
        run.ramp.map((step) => [
          run.database,
          count(step.offeredEventsPerSecond),
          count(step.acknowledgedEventsPerSecond),
          String(step.candidates),
          milliseconds(step.alert.p50Ms),
          milliseconds(step.alert.p99Ms),
          milliseconds(step.ack.p50Ms),
          milliseconds(step.ack.p99Ms),
          ...cpuCells(step.cpu),
          step.passed ? 'pass' : `LIMIT: ${step.reasons.map((reason) => `${reason.kind}: ${reason.detail}`).join('; ')}`,
        ]),
      ),
    ),
    ...runs.filter((run) => run.ramp.length === 0).map((run) => `  ${run.database}: no ramp (${describeStop(run.stopped)})`),
  ];
}

function formatServer(runs: DatabaseRun[]): string[] {
  return [
    'Server and clients',
    ...table(
      1,
      ['database', 'candidates joined', 'set-up', 'RSS after main run', 'peak RSS', 'heartbeats sent/answered', 'HEARTBEAT_LOST alerts', 'unmatched alerts', 'sockets lost'],
      runs.map((run) => [
        run.database,
        String(run.candidatesJoined),
        run.setupSeconds === null ? 'stopped' : `${run.setupSeconds.toFixed(1)} s`,
        run.rssAfterMainBytes === null ? 'n/a' : mebibytes(run.rssAfterMainBytes),
        run.rssPeakBytes === null ? 'n/a' : mebibytes(run.rssPeakBytes),
        `${count(run.heartbeats.sent)}/${count(run.heartbeats.ok)}`,
        String(run.strayAlerts.heartbeatLost),
        String(run.strayAlerts.unmatched),
        String(sum(run.socketsLost)),
      ]),
    ),
  ];
}

function formatTargets(report: Report): string[] {
  const rows = report.runs.flatMap((run) => {
    const alert = alertAtTargetRate(run);
    const sustainedTarget = run.database === 'postgres' ? TARGETS.sustainedPostgres : TARGETS.sustainedEmbedded;
    const sustained =
      run.ramp.length === 0 ? 'not measured' : `${run.rampTopped ? '>= ' : ''}${count(run.sustainedEventsPerSecond)} events/s${run.rampTopped ? ' (every step passed)' : ''}`;
    const lost = run.totals.lost;
    return [
      [
        run.database,
        `alert p99 at ${TARGETS.alertAtEventsPerSecond.toLocaleString('en')} events/s`,
        alert === undefined ? 'not measured' : milliseconds(alert),
        `<= ${TARGETS.alertP99Ms} ms`,
        alert === undefined ? 'n/a' : verdict(alert, TARGETS.alertP99Ms),
      ],
      [
        run.database,
        'highest sustained rate',
        sustained,
        `>= ${count(sustainedTarget)}`,
        run.ramp.length === 0 ? 'n/a' : run.sustainedEventsPerSecond >= sustainedTarget ? 'ok' : 'MISSED',
      ],
      [run.database, 'lost events', checked(lost), `= ${TARGETS.lost}`, lost === null ? 'n/a' : lost === TARGETS.lost ? 'ok' : 'MISSED'],
    ];
  });
  return ['Targets', ...table(2, ['database', 'figure', 'value', 'target', ''], rows)];
}

/** p99 alert latency at the target's rate: the main run when it offered that rate, else that ramp step. */
function alertAtTargetRate(run: DatabaseRun): number | undefined {
  if (run.main?.offeredEventsPerSecond === TARGETS.alertAtEventsPerSecond) return run.main.alert.p99Ms;
  const step = run.ramp.find((candidate) => candidate.offeredEventsPerSecond === TARGETS.alertAtEventsPerSecond);
  return step?.alert.samples ? step.alert.p99Ms : undefined;
}

function formatProfile(run: DatabaseRun): string[] {
  const { profile } = run;
  if (!profile) return [];
  return [
    '',
    `Server CPU profile, ${run.database}: ${(profile.busyMs / 1000).toFixed(1)} s busy over the server's life (set-up included); profiles in ${profile.dir}`,
    ...table(
      1,
      ['self time by package', 'ms', '%'],
      profile.byPackage.map((entry) => [entry.name, count(entry.selfMs), `${entry.percent.toFixed(1)} %`]),
    ),
    ...table(
      1,
      ['top functions by self time', 'ms', '%'],
      profile.topFunctions.map((entry) => [entry.name, count(entry.selfMs), `${entry.percent.toFixed(1)} %`]),
    ),
  ];
}

function errorLines(run: DatabaseRun): string[] {
  const lines: string[] = [];
  for (const [code, n] of Object.entries(run.totals.rejected)) lines.push(`Rejected (${run.database}) ×${n}: ${code}`);
  for (const [message, n] of Object.entries(run.totals.failures)) lines.push(`Failed reportEvents (${run.database}) ×${n}: ${message}`);
  for (const [message, n] of Object.entries(run.heartbeats.failures)) lines.push(`Failed heartbeat (${run.database}) ×${n}: ${message}`);
  for (const [reason, n] of Object.entries(run.socketsLost)) lines.push(`Socket lost (${run.database}) ×${n}: ${reason}`);
  return lines;
}

/** Where a run stopped, in full: the server's output tail when it died is part of the detail. */
function stopLines(run: DatabaseRun): string[] {
  return run.stopped ? [`Stopped (${run.database}): ${describeStop(run.stopped)}: ${run.stopped.detail}`] : [];
}

function describeStop(stop: Stop | null): string {
  return stop ? `stopped in ${stop.stage}: ${stop.kind}` : 'not reached';
}

function checked(value: number | null): string {
  return value === null ? 'not checked' : count(value);
}

function cpuCells(cpu: CpuShare | null): string[] {
  if (!cpu) return ['n/a', 'n/a', 'n/a', 'n/a', 'n/a'];
  return [cpu.serverPercent, cpu.databasePercent, cpu.benchPercent, cpu.otherPercent, cpu.stealPercent].map((value) => (value === null ? 'n/a' : percent(value)));
}

/** "never" for samples that did not arrive (Infinity). */
function milliseconds(ms: number): string {
  if (ms === Infinity) return 'never';
  if (Number.isNaN(ms)) return 'n/a';
  return `${ms.toFixed(1)} ms`;
}

function percent(value: number): string {
  return `${value.toFixed(0)} %`;
}

function count(value: number): string {
  if (Number.isNaN(value)) return 'n/a';
  return Math.round(value).toLocaleString('en');
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((total, n) => total + n, 0);
}

/** JSON has no Infinity: a latency that never arrived is written as "never", not as null. */
function jsonNumbers(_key: string, value: unknown): unknown {
  return value === Infinity ? 'never' : value;
}
