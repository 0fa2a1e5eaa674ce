// `node bench/tui.ts [--alerts N] [--seconds S] [--json] [--budget S]`   (npm run bench:tui)
//
// The live dashboard as a host sees it: the real `proctor watch` in a real terminal (a detached
// tmux session, 100×30) against a real `proctor up` on the embedded database, while scripted
// candidates report over graphql-ws with their join tokens.
//
// - Latency: N alerts (default 50), one at a time; for each, the time from the candidate's
//   acknowledgement (the event is committed) to the alert's line on the tmux screen, read with
//   capture-pane in a tight loop (each read costs a few ms, which bounds the resolution).
//   The alerts are one growing TAB_SWITCH violation, so each is a new count on the same line.
// - CPU of the `proctor watch` process: idle for S seconds (default 10), then while the
//   candidates send 50 alerts/s for S seconds.
// Baselines from the same run and the same server: the same two figures for `proctor watch
// --json` (NDJSON on a pipe, no terminal drawing), and the latency of a bare graphql-ws
// subscription in this process (what the network and server alone take). Progress on stderr.
// Bounded: every call and every wait for a line has a deadline, the run a budget (default 10
// minutes); a server that stops answering ends the bench with a result line saying where.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GraphQLClient, signUp } from '../test/support/graphql.ts';
import { connect, type WsClient } from '../test/support/live.ts';
import { cleanEnv } from '../test/support/proctor-cli.ts';
import { TmuxSession } from '../test/support/tmux.ts';
import { processCpuSeconds } from './support/cpu.ts';
import { embeddedStorage } from './support/dataset.ts';
import { CALL_TIMEOUT_MS, Limit, within } from './support/limits.ts';
import { summarizeLatencies, type LatencySummary } from './support/latency.ts';
import { machineFacts, machineLines } from './support/machine.ts';
import { freePort, ProctorProcess } from './support/proctor-process.ts';
import { progress, table } from './support/report.ts';
import { budgetMs, ownChild, runBench } from './support/run.ts';

const BIN = fileURLToPath(new URL('../cli/bin/run.js', import.meta.url));
const LOAD_RATE_PER_SECOND = 50;
/** The server accepts 50 events/s per session: the load is split over candidates below that. */
const LOAD_CANDIDATES = 2;
const LINE_TIMEOUT_MS = 10_000;
/** `proctor watch` connects and draws its first screen. */
const WATCH_START_TIMEOUT_MS = 30_000;
const DEFAULT_BUDGET_SECONDS = 600;
const DEVICE = { userAgent: 'bench', screen: { width: 1920, height: 1080 }, cameras: 1, microphones: 1 };
/** Types the default rules monitor, cycled so the load draws many different lines. */
const LOAD_TYPES = ['TAB_SWITCH', 'WINDOW_BLUR', 'FACE_MISSING', 'MULTIPLE_FACES', 'LOOKING_AWAY', 'COPY_PASTE', 'CONTEXT_MENU', 'DEVTOOLS_OPEN', 'AUDIO_DETECTED'];

class Candidate {
  readonly #socket: WsClient;
  readonly #sessionId: string;
  readonly #heartbeat: NodeJS.Timeout;
  #seq = 0;

  private constructor(socket: WsClient, sessionId: string) {
    this.#socket = socket;
    this.#sessionId = sessionId;
    this.#heartbeat = setInterval(() => {
      socket
        .request('mutation($s: ID!) { heartbeat(sessionId: $s, telemetry: { visible: true, focused: true, fullscreen: true }) { serverTime } }', { s: sessionId })
        .catch(() => {});
    }, 2000);
  }

  static async join(url: string, joinToken: string): Promise<Candidate> {
    const socket = connect(url, joinToken);
    try {
      const { joinSession } = await within(socket.request('mutation($d: DeviceInput!) { joinSession(device: $d) { id } }', { d: DEVICE }), CALL_TIMEOUT_MS, 'joinSession');
      return new Candidate(socket, joinSession.id);
    } catch (error) {
      await socket.dispose();
      throw error;
    }
  }

  /** Reports one event and resolves once it is acknowledged (committed). */
  async report(type: string): Promise<void> {
    const { reportEvents } = await within(
      this.#socket.request('mutation($s: ID!, $e: [EventInput!]!) { reportEvents(sessionId: $s, events: $e) { accepted rejected { code message } } }', {
        s: this.#sessionId,
        e: [{ seq: this.#seq++, type, occurredAt: new Date().toISOString(), durationMs: 100 }],
      }),
      CALL_TIMEOUT_MS,
      'reportEvents',
    );
    if (reportEvents.rejected.length) throw new Error(`event rejected: ${JSON.stringify(reportEvents.rejected)}`);
  }

  async leave(): Promise<void> {
    clearInterval(this.#heartbeat);
    await this.#socket.dispose();
  }
}

/** When each count of the measured violation arrived, for consumers that are not a screen. */
class ArrivalLog {
  readonly #seen = new Map<number, number>();
  readonly #arrived = new EventTarget();

  record(count: number): void {
    if (this.#seen.has(count)) return;
    this.#seen.set(count, performance.now());
    this.#arrived.dispatchEvent(new Event('arrived'));
  }

  /** When count `n` arrived (possibly already), or fails after LINE_TIMEOUT_MS. */
  when(n: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const at = this.#seen.get(n);
        if (at === undefined) return;
        clearTimeout(timer);
        this.#arrived.removeEventListener('arrived', check);
        resolve(at);
      };
      const timer = setTimeout(() => {
        this.#arrived.removeEventListener('arrived', check);
        reject(new Error(`count ${n} never arrived`));
      }, LINE_TIMEOUT_MS);
      this.#arrived.addEventListener('arrived', check);
      check();
    });
  }
}

interface Setup {
  url: string;
  hostToken: string;
  host: GraphQLClient;
}

/** A fresh live interview with `candidates` joined candidates. */
async function liveInterview({ url, host }: Setup, title: string, candidates: number) {
  const created = await host.ok('mutation($t: String!) { createInterview(input: { title: $t }) { interview { id } } }', { t: title });
  const id = created.createInterview.interview.id as string;
  const joined: Candidate[] = [];
  for (let i = 0; i < candidates; i++) {
    const invited = await host.ok('mutation($id: ID!, $e: String!) { inviteCandidate(interviewId: $id, name: "Bench Candidate", email: $e) { token } }', {
      id,
      e: `bench${i}@example.com`,
    });
    if (i === 0) await host.ok('mutation($id: ID!) { startInterview(id: $id) { status } }', { id });
    joined.push(await Candidate.join(url, invited.inviteCandidate.token));
  }
  return { id, candidates: joined };
}

/**
 * Ack→visible for `count` alerts, each the next count of one TAB_SWITCH violation. `visible(n)`
 * resolves with when the n-th showed. The server sends the alert before the commit that the ack
 * waits for, so it may show first: that counts as 0 (visible when acknowledged).
 */
async function measureLatency(candidate: Candidate, count: number, visible: (n: number) => Promise<number>, signal: AbortSignal): Promise<number[]> {
  const samples: number[] = [];
  for (let n = 1; n <= count; n++) {
    signal.throwIfAborted();
    await candidate.report('TAB_SWITCH');
    const acked = performance.now();
    try {
      samples.push(Math.max(0, (await visible(n)) - acked));
    } catch {
      samples.push(Infinity);
    }
  }
  return samples;
}

/** The message of the n-th event of one TAB_SWITCH violation, as the server words it. */
function tabSwitchLine(n: number): RegExp {
  return n === 1 ? /Candidate switched to another tab\s*$/m : new RegExp(`Candidate switched to another tab \\(${n} times\\)`);
}

async function cpuPercentWhile(pid: number, seconds: number, during: (stopAt: number) => Promise<void>, signal: AbortSignal): Promise<number> {
  signal.throwIfAborted();
  const before = await processCpuSeconds(pid);
  const started = performance.now();
  await within(during(started + seconds * 1000), seconds * 1000 + CALL_TIMEOUT_MS, 'a measuring window', signal);
  const elapsed = (performance.now() - started) / 1000;
  return (100 * ((await processCpuSeconds(pid)) - before)) / elapsed;
}

/** LOAD_RATE_PER_SECOND events/s spread over the candidates, until `stopAt`. */
async function sendLoad(candidates: Candidate[], stopAt: number): Promise<number> {
  let sent = 0;
  const periodMs = (1000 / LOAD_RATE_PER_SECOND) * candidates.length;
  await Promise.all(
    candidates.map(async (candidate, index) => {
      let next = performance.now() + (periodMs * index) / candidates.length;
      while (next < stopAt) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
        candidate.report(LOAD_TYPES[sent++ % LOAD_TYPES.length]!).catch(() => {});
        next += periodMs;
      }
    }),
  );
  return sent;
}

const idle = (stopAt: number) => new Promise<void>((resolve) => setTimeout(resolve, stopAt - performance.now()));

/** The screen once it shows `pattern`; past `timeoutMs`, an 'ack timeout' Limit with what it showed. */
function untilScreen(tmux: TmuxSession, pattern: RegExp, timeoutMs: number): Promise<string> {
  return tmux.waitFor(pattern, timeoutMs).catch((error: Error) => {
    throw new Limit('ack timeout', error.message);
  });
}

async function childPid(shellPid: number): Promise<number> {
  const children = (await readFile(`/proc/${shellPid}/task/${shellPid}/children`, 'utf8')).trim().split(/\s+/);
  if (!children[0]) throw new Error('proctor watch is not running in the tmux pane');
  return Number(children[0]);
}

async function dashboardRun(setup: Setup, alerts: number, seconds: number, signal: AbortSignal) {
  const latencyRun = await liveInterview(setup, 'Bench dashboard', 1);
  const env = cleanEnv({ PROCTOR_CONFIG_DIR: '/nonexistent', TERM: 'xterm-256color', LANG: 'C.UTF-8' });
  const watch = (id: string) => TmuxSession.start([process.execPath, BIN, 'watch', id, '--server', setup.url, '--token', setup.hostToken], env, { width: 100, height: 30 });
  let tmux = await watch(latencyRun.id);
  try {
    await untilScreen(tmux, /● connected/, WATCH_START_TIMEOUT_MS);
    await untilScreen(tmux, /Bench Candidate\s+● online/, WATCH_START_TIMEOUT_MS);
    progress(`dashboard: ${alerts} alerts, ack → line on the tmux screen`);
    const samples = await measureLatency(latencyRun.candidates[0]!, alerts, (n) => untilScreen(tmux, tabSwitchLine(n), LINE_TIMEOUT_MS).then(() => performance.now()), signal);
    // What one look at the screen costs: the resolution of the figure above.
    const reads: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      await tmux.screen();
      reads.push(performance.now() - started);
    }
    await tmux.kill();

    // CPU on a fresh interview, so the load does not collide with the latency run's violation.
    const loadRun = await liveInterview(setup, 'Bench dashboard load', LOAD_CANDIDATES);
    tmux = await watch(loadRun.id);
    await untilScreen(tmux, /● connected/, WATCH_START_TIMEOUT_MS);
    const pid = await childPid(await tmux.panePid());
    progress(`dashboard: CPU idle for ${seconds} s`);
    const idlePercent = await cpuPercentWhile(pid, seconds, idle, signal);
    progress(`dashboard: CPU at ${LOAD_RATE_PER_SECOND} alerts/s for ${seconds} s`);
    let sent = 0;
    const loadPercent = await cpuPercentWhile(pid, seconds, async (stopAt) => void (sent = await sendLoad(loadRun.candidates, stopAt)), signal);
    for (const candidate of [...latencyRun.candidates, ...loadRun.candidates]) await candidate.leave();
    return { latency: summarizeLatencies(samples), screenRead: summarizeLatencies(reads), idlePercent, loadPercent, sent };
  } finally {
    await tmux.kill();
  }
}

async function ndjsonRun(setup: Setup, alerts: number, seconds: number, signal: AbortSignal) {
  const run = await liveInterview(setup, 'Bench NDJSON', LOAD_CANDIDATES);
  const child = ownChild(
    spawn(process.execPath, [BIN, 'watch', run.id, '--json', '--server', setup.url, '--token', setup.hostToken], {
      env: cleanEnv({ PROCTOR_CONFIG_DIR: '/nonexistent' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  try {
    let stderr = '';
    const watching = new Promise<void>((resolve, reject) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        if (/Watching/.test(stderr)) resolve();
      });
      child.once('exit', () => reject(new Error(`proctor watch --json ended: ${stderr}`)));
    });
    await within(watching, WATCH_START_TIMEOUT_MS, 'proctor watch --json saying Watching', signal);
    const arrivals = new ArrivalLog();
    createInterface({ input: child.stdout }).on('line', (line) => {
      const event = JSON.parse(line) as { type?: string; count?: number };
      if (event.type === 'TAB_SWITCH' && event.count !== undefined) arrivals.record(event.count);
    });
    progress(`NDJSON: ${alerts} alerts, ack → line on stdout`);
    const samples = await measureLatency(run.candidates[0]!, alerts, (n) => arrivals.when(n), signal);
    // Past the latency run's 5 s window, so the load's TAB_SWITCH events start a new violation.
    await new Promise((resolve) => setTimeout(resolve, 5500));
    progress(`NDJSON: CPU idle, then at ${LOAD_RATE_PER_SECOND} alerts/s, ${seconds} s each`);
    const idlePercent = await cpuPercentWhile(child.pid!, seconds, idle, signal);
    const loadPercent = await cpuPercentWhile(child.pid!, seconds, async (stopAt) => void (await sendLoad(run.candidates, stopAt)), signal);
    for (const candidate of run.candidates) await candidate.leave();
    return { latency: summarizeLatencies(samples), idlePercent, loadPercent };
  } finally {
    child.kill('SIGINT');
  }
}

async function bareSubscriptionRun(setup: Setup, alerts: number, signal: AbortSignal): Promise<LatencySummary> {
  const run = await liveInterview(setup, 'Bench bare subscription', 1);
  const host = connect(setup.url, setup.hostToken);
  try {
    const arrivals = new ArrivalLog();
    host.client.subscribe<{ interviewEvents: { __typename: string; type?: string; count?: number } }>(
      { query: 'subscription($id: ID!) { interviewEvents(interviewId: $id) { __typename ... on LiveAlert { type count } } }', variables: { id: run.id } },
      {
        next: ({ data }) => {
          if (data?.interviewEvents.type === 'TAB_SWITCH') arrivals.record(data.interviewEvents.count!);
        },
        error: () => {},
        complete: () => {},
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 500)); // subscribed
    progress(`bare graphql-ws subscription: ${alerts} alerts, ack → event`);
    const samples = await measureLatency(run.candidates[0]!, alerts, (n) => arrivals.when(n), signal);
    await run.candidates[0]!.leave();
    return summarizeLatencies(samples);
  } finally {
    await host.dispose();
  }
}

const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : 'never');
const percent = (value: number) => `${value.toFixed(1)} %`;

const { values } = parseArgs({
  options: {
    alerts: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
    budget: { type: 'string', default: String(DEFAULT_BUDGET_SECONDS) },
  },
});
runBench(budgetMs(values.budget), main);

async function main(signal: AbortSignal): Promise<void> {
  const alerts = Number(values.alerts);
  const seconds = Number(values.seconds);
  const machine = machineFacts('embedded (PGlite)', loadavg()[0]!);
  const storage = await embeddedStorage();
  progress('starting proctor up');
  let server: ProctorProcess | undefined;
  try {
    server = await ProctorProcess.start({ port: await freePort(), dataDir: storage.dataDir }, signal);
    const { client: host } = await signUp(new GraphQLClient(server.url, undefined, { timeoutMs: CALL_TIMEOUT_MS }));
    const setup: Setup = { url: server.url, host, hostToken: host.token! };
    const bare = await bareSubscriptionRun(setup, alerts, signal);
    const ndjson = await ndjsonRun(setup, alerts, seconds, signal);
    const dashboard = await dashboardRun(setup, alerts, seconds, signal);
    const result = { machine, alerts, seconds, loadRatePerSecond: LOAD_RATE_PER_SECOND, dashboard, ndjson, bareSubscription: bare };
    if (values.json) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    console.log('proctor watch: alert latency and CPU');
    console.log(machineLines(machine).join('\n'));
    console.log('');
    console.log(`  ack → visible, ${alerts} alerts one at a time`);
    console.log(
      table(
        1,
        ['', 'p50', 'p95', 'max', 'missing'],
        [
          ['dashboard (tmux screen)', ms(dashboard.latency.p50Ms), ms(dashboard.latency.p95Ms), ms(dashboard.latency.maxMs), String(dashboard.latency.missing)],
          ['baseline: watch --json (stdout line)', ms(ndjson.latency.p50Ms), ms(ndjson.latency.p95Ms), ms(ndjson.latency.maxMs), String(ndjson.latency.missing)],
          ['baseline: bare graphql-ws subscription', ms(bare.p50Ms), ms(bare.p95Ms), ms(bare.maxMs), String(bare.missing)],
          ['resolution: one capture-pane read', ms(dashboard.screenRead.p50Ms), ms(dashboard.screenRead.p95Ms), ms(dashboard.screenRead.maxMs), '-'],
        ],
      ).join('\n'),
    );
    console.log('  (0 ms: the alert was already there when the ack came; the server sends it before the commit the ack waits for)');
    console.log('');
    console.log(`  CPU of the watch process (% of one core), ${seconds} s each`);
    console.log(
      table(
        1,
        ['', 'idle', `${LOAD_RATE_PER_SECOND} alerts/s`],
        [
          ['dashboard (tmux, 100×30)', percent(dashboard.idlePercent), percent(dashboard.loadPercent)],
          ['baseline: watch --json', percent(ndjson.idlePercent), percent(ndjson.loadPercent)],
        ],
      ).join('\n'),
    );
    console.log(`  (${dashboard.sent} events sent during the dashboard's load window)`);
  } finally {
    await server?.stop();
    await storage.drop();
  }
}
