// `proctor watch` end to end: the real command in a real terminal (tmux) and in a pipe, against
// a real server, while a scripted candidate joins and reports over graphql-ws with its join token.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../server/config.ts';
import { Platform } from '../server/platform.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { connect, type WsClient } from './support/live.ts';
import { describeDatabase, freshStorage, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { cleanEnv, spawnProctor } from './support/proctor-cli.ts';
import { TmuxSession } from './support/tmux.ts';
import { within } from './support/until.ts';
import { startHangingServer } from './support/hanging-server.ts';
import { DEVICE, JOIN_SESSION, REPORT_EVENTS } from './support/candidate-fixtures.ts';
import { START_INTERVIEW, END_INTERVIEW } from './support/host-operations.ts';

const BIN = fileURLToPath(new URL('../cli/bin/run.js', import.meta.url));
const HEARTBEAT = 'mutation($sessionId: ID!, $telemetry: TelemetryInput!) { heartbeat(sessionId: $sessionId, telemetry: $telemetry) { serverTime } }';

/** A candidate's page, scripted: joins with the join token, heartbeats, reports events, listens for pings. */
class ScriptedCandidate {
  readonly socket: WsClient;
  readonly sessionId: string;
  readonly #heartbeat: NodeJS.Timeout;
  #seq = 0;

  private constructor(socket: WsClient, sessionId: string) {
    this.socket = socket;
    this.sessionId = sessionId;
    // Every 2 s like the real page, so the server raises no HEARTBEAT_LOST in between.
    this.#heartbeat = setInterval(() => {
      socket.request(HEARTBEAT, { sessionId, telemetry: { visible: true, focused: true, fullscreen: true } }).catch(() => {});
    }, 2000);
  }

  static async join(url: string, joinToken: string): Promise<ScriptedCandidate> {
    const socket = connect(url, joinToken);
    const { joinSession } = await socket.request(JOIN_SESSION, { device: DEVICE });
    return new ScriptedCandidate(socket, joinSession.id);
  }

  async leave(): Promise<void> {
    clearInterval(this.#heartbeat);
    await this.socket.dispose();
  }

  async report(type: string): Promise<void> {
    const { reportEvents } = await this.socket.request(REPORT_EVENTS, {
      sessionId: this.sessionId,
      events: [{ seq: this.#seq++, type, occurredAt: new Date().toISOString(), durationMs: 1500 }],
    });
    assert.equal(reportEvents.accepted.length, 1, JSON.stringify(reportEvents.rejected));
  }
}

/** `proctor watch` in a pipe: its JSON lines one by one, and its stderr as it grows. */
class PipedWatch {
  readonly #child: ReturnType<typeof spawnProctor>;
  readonly #lines: AsyncIterator<string>;
  readonly #stderrChanged = new EventTarget();
  readonly #closed: Promise<unknown[]>;
  readonly #exited: Promise<unknown[]>;
  stderr = '';

  constructor(args: string[], env: Record<string, string>) {
    this.#child = spawnProctor(['watch', ...args], env);
    this.#closed = once(this.#child, 'close');
    this.#exited = once(this.#child, 'exit');
    this.#child.stdin.end();
    this.#child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      this.#stderrChanged.dispatchEvent(new Event('data'));
    });
    this.#lines = createInterface({ input: this.#child.stdout })[Symbol.asyncIterator]();
  }

  async nextLine(): Promise<Record<string, unknown>> {
    const { value, done } = await this.#lines.next();
    assert.ok(!done, `watch ended early: ${this.stderr}`);
    return JSON.parse(value) as Record<string, unknown>;
  }

  stderrShows(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`stderr never matched ${pattern}:\n${this.stderr}`)), timeoutMs);
      const check = () => {
        if (!pattern.test(this.stderr)) return;
        clearTimeout(timer);
        this.#stderrChanged.removeEventListener('data', check);
        resolve();
      };
      this.#stderrChanged.addEventListener('data', check);
      check();
    });
  }

  async interrupt(): Promise<number | null> {
    this.#child.kill('SIGINT');
    return this.exited();
  }

  signal(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }

  /** What a reader that goes away does: closes its end of the pipe. */
  closeStdout(): void {
    this.#child.stdout.destroy();
  }

  /** What a parent that dies does to the pipes it read. */
  closeOutput(): void {
    this.#child.stdout.destroy();
    this.#child.stderr.destroy();
  }

  /** The exit code, once the process has exited; fails after `timeoutMs` (a bound of the requirement). */
  async exitedWithin(timeoutMs: number): Promise<number | null> {
    return within(
      'watch to exit',
      this.#exited.then(([code]) => code as number | null),
      timeoutMs,
    );
  }

  /** The exit code, once the process has ended and its output is all read ('close', not 'exit'). */
  async exited(): Promise<number | null> {
    return (await this.#closed)[0] as number | null;
  }

  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
  }
}

describe(`proctor watch (${describeDatabase()})`, function () {
  // A hang guard: some tests start (and restart) a server of their own, which on a busy machine
  // takes tens of seconds on the embedded database.
  this.timeout(180_000);
  let server: TestPlatform;
  let host: GraphQLClient;
  let configDir: string;
  const cleanups: (() => Promise<unknown>)[] = [];

  before(async () => {
    server = await startTestPlatform();
    ({ client: host } = await signUp(new GraphQLClient(server.url)));
    configDir = await mkdtemp(join(tmpdir(), 'proctor-watch-config-'));
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  after(async () => {
    await server?.stop();
    await rm(configDir, { recursive: true, force: true });
  });

  async function interview(title: string, options: { start: boolean }) {
    const created = await host.ok('mutation($title: String!) { createInterview(input: { title: $title }) { interview { id } } }', { title });
    const id = created.createInterview.interview.id as string;
    const invited = await host.ok('mutation($id: ID!) { inviteCandidate(interviewId: $id, name: "Ada Lovelace", email: "ada@example.com") { token candidate { id } } }', { id });
    if (options.start) await host.ok(START_INTERVIEW, { id });
    return { id, joinToken: invited.inviteCandidate.token as string, candidateId: invited.inviteCandidate.candidate.id as string };
  }

  async function joined(url: string, joinToken: string) {
    const candidate = await ScriptedCandidate.join(url, joinToken);
    cleanups.push(() => candidate.leave());
    return candidate;
  }

  function piped(args: string[]) {
    const watch = new PipedWatch(args, { PROCTOR_CONFIG_DIR: configDir });
    cleanups.push(async () => watch.kill());
    return watch;
  }

  async function terminal(args: string[], options: { size?: { width: number; height: number }; server?: string } = {}) {
    const env = cleanEnv({ PROCTOR_CONFIG_DIR: configDir, TERM: 'xterm-256color', LANG: 'C.UTF-8' });
    const size = options.size ?? { width: 100, height: 30 };
    const tmux = await TmuxSession.start([process.execPath, BIN, 'watch', ...args, '--server', options.server ?? server.url, '--token', host.token!], env, size);
    cleanups.push(() => tmux.kill());
    return tmux;
  }

  it('shows the dashboard, starts the interview, shows alerts as they come, pings, survives a resize and ends with confirmation', async () => {
    const { id, joinToken } = await interview('Senior backend engineer', { start: false });
    const tmux = await terminal([id]);
    await tmux.waitFor(/Senior backend engineer\s+SCHEDULED .*● connected/);
    await tmux.waitFor(/p ping {2}s start {2}e end {2}r report {2}\/ filter/);

    await tmux.sendKeys('s');
    await tmux.waitFor(/Senior backend engineer\s+LIVE 00:00:\d\d/);

    const candidate = await joined(server.url, joinToken);
    const inbox = candidate.socket.subscribe('subscription { candidateMessages { kind message } }');
    await tmux.waitFor(/Ada Lovelace\s+● online/);

    // The alert's line shows while the candidate's next report is still on its way.
    await candidate.report('FACE_MISSING');
    const screen = await tmux.waitFor(/CRITICAL Ada Lovelace\s+No face visible/);
    assert.match(screen, /⚠ CRITICAL: Ada Lovelace — No face visible/, 'a toast for a critical alert');
    await candidate.report('TAB_SWITCH');
    await candidate.report('TAB_SWITCH');
    await tmux.waitFor(/HIGH\s+Ada Lovelace\s+Candidate switched to another tab \(2 times\)/);
    await tmux.waitFor(/ALERTS 2 {2}TAB_SWITCH 2 · FACE_MISSING 1/);

    await tmux.sendKeys('p');
    await tmux.waitFor(/Message to Ada Lovelace:/);
    await tmux.sendKeys('-l', 'Please look at the camera');
    await tmux.waitFor(/Message to Ada Lovelace: Please look at the camera/);
    await tmux.sendKeys('Enter');
    assert.deepEqual((await inbox.next(15_000)).data.candidateMessages, { kind: 'PING', message: 'Please look at the camera' });
    await tmux.waitFor(/Ping shown to Ada Lovelace/);

    // While the interview is live there is no report yet, and the key says so.
    await tmux.sendKeys('r');
    await tmux.waitFor(/No report yet: it is made when the interview ends/);

    await tmux.resize(80, 24);
    const small = await tmux.waitFor((s) => /LIVE/.test(s) && /q quit/.test(s) && s.split('\n').length <= 25);
    for (const line of small.split('\n')) assert.ok(line.length <= 80, `fits 80 columns: "${line}"`);
    assert.match(small, /Senior backend engineer/);

    await tmux.sendKeys('e');
    await tmux.waitFor(/End the interview for everyone\?/);
    await tmux.sendKeys('y');
    await tmux.waitFor(/COMPLETED/);
    const { interview: ended } = await host.ok('query($id: ID!) { interview(id: $id) { status } }', { id });
    assert.equal(ended.status, 'COMPLETED');

    await tmux.sendKeys('q');
    assert.equal(await tmux.waitForEnd(), 0, 'q quits with exit code 0');
  });

  it('without an ID lets the host pick among live and scheduled interviews', async () => {
    const { id } = await interview('Pick me', { start: true });
    const tmux = await terminal([]);
    await tmux.waitFor(/Which interview\?/);
    // Newer interviews of this file are listed too: move down to ours.
    for (let step = 0; step < 10 && !/› LIVE\s+-\s+Pick me/.test(await tmux.screen()); step++) await tmux.sendKeys('Down');
    await tmux.waitFor(/› LIVE\s+-\s+Pick me/);
    await tmux.sendKeys('Enter');
    await tmux.waitFor(/Pick me\s+LIVE .*● connected/);
    assert.ok(id);
  });

  it('prints one JSON line per event when piped: the history first, then live events', async () => {
    const { id, joinToken, candidateId } = await interview('Piped', { start: true });
    const candidate = await joined(server.url, joinToken);
    await candidate.report('COPY_PASTE');

    const watch = piped([id, '--server', server.url, '--token', host.token!]);
    const replayed = await watch.nextLine();
    assert.deepEqual(
      { ...replayed, violationId: typeof replayed.violationId, occurredAt: typeof replayed.occurredAt },
      {
        event: 'LiveAlert',
        interviewId: id,
        violationId: 'string',
        candidateId,
        type: 'COPY_PASTE',
        severity: 'MEDIUM',
        message: 'Copy or paste attempted',
        occurredAt: 'string',
        count: 1,
        durationMs: 1500,
        replayed: true,
      },
    );

    // Live from here: once subscribed, it says so on stderr.
    await watch.stderrShows(/Watching "Piped" live/);
    await candidate.report('DEVTOOLS_OPEN');
    const live = await watch.nextLine();
    assert.equal(live.event, 'LiveAlert');
    assert.equal(live.type, 'DEVTOOLS_OPEN');
    assert.equal(live.severity, 'HIGH');
    assert.equal(live.interviewId, id);
    assert.equal(live.replayed, undefined);

    await host.ok(END_INTERVIEW, { id });
    const ended = await watch.nextLine();
    assert.deepEqual({ event: ended.event, status: ended.status, interviewId: ended.interviewId }, { event: 'InterviewStatusChanged', status: 'COMPLETED', interviewId: id });

    assert.equal(await watch.interrupt(), 0, watch.stderr);
  });

  it('refuses clearly: no ID without a terminal (2), an unknown interview (4), a bad token (3)', async () => {
    const run = async (args: string[]) => {
      const watch = piped(args);
      return { code: await watch.exited(), stderr: watch.stderr };
    };
    const noId = await run(['--server', server.url, '--token', host.token!]);
    assert.equal(noId.code, 2);
    assert.match(noId.stderr, /Which interview\? Pass its ID/);
    const unknown = await run(['00000000-0000-4000-8000-000000000000', '--server', server.url, '--token', host.token!]);
    assert.equal(unknown.code, 4, unknown.stderr);
    const denied = await run(['00000000-0000-4000-8000-000000000000', '--server', server.url, '--token', 'not-a-token']);
    assert.equal(denied.code, 3, denied.stderr);
  });

  /** A server of the test's own, to stop (and start again on the same port and data), with a live interview. */
  async function ownServer(title: string) {
    const storage = await freshStorage();
    cleanups.push(() => storage.drop());
    const platform = await Platform.create(loadConfig(storage.env, { port: 0 }));
    const own = { platform, storage, port: Number(new URL(platform.url).port) };
    cleanups.push(() => own.platform.close());
    const { client: owner } = await signUp(new GraphQLClient(platform.url));
    const created = await owner.ok('mutation($title: String!) { createInterview(input: { title: $title }) { interview { id } } }', { title });
    const id = created.createInterview.interview.id as string;
    const invited = await owner.ok('mutation($id: ID!) { inviteCandidate(interviewId: $id, name: "Ada", email: "ada@example.com") { token } }', { id });
    await owner.ok(START_INTERVIEW, { id });
    return Object.assign(own, { owner, id, joinToken: invited.inviteCandidate.token as string });
  }

  it('reconnects by itself when the server restarts, says so, and replays what it missed', async () => {
    const own = await ownServer('Restart');
    const watch = piped([own.id, '--json', '--server', own.platform.url, '--token', own.owner.token!]);
    await watch.stderrShows(/Watching "Restart" live/);

    await own.platform.close();
    await watch.stderrShows(/Connection lost.*reconnecting…/);
    own.platform = await Platform.create(loadConfig(own.storage.env, { port: own.port }));
    // While the dashboard was away, the candidate raised an alert.
    const candidate = await joined(own.platform.url, own.joinToken);
    await candidate.report('MULTIPLE_FACES');
    await watch.stderrShows(/Reconnected; replayed what was missed/);
    // Replayed from the history, or live if the socket was back first: either way it is not lost.
    // (Other lines, such as HEARTBEAT_LOST for the silent scripted page, may come in between.)
    let line = await watch.nextLine();
    while (line.type !== 'MULTIPLE_FACES') line = await watch.nextLine();
    assert.equal(line.event, 'LiveAlert');
    assert.equal(await watch.interrupt(), 0, watch.stderr);
  });

  describe('always stops', () => {
    // The requirement is 5 s from the signal; the bound leaves room for a busy machine.
    const EXIT_BOUND_MS = 10_000;

    it('stops on SIGTERM while reconnecting to a server that is gone', async () => {
      const own = await ownServer('Gone');
      const watch = piped([own.id, '--json', '--server', own.platform.url, '--token', own.owner.token!]);
      await watch.stderrShows(/Watching "Gone" live/);
      await own.platform.close();
      await watch.stderrShows(/Connection lost.*reconnecting…/);
      watch.signal('SIGTERM');
      assert.equal(await watch.exitedWithin(EXIT_BOUND_MS), 0, watch.stderr);
    });

    it('exits by itself once the reader closes its stdout', async () => {
      const { id, joinToken } = await interview('Reader gone', { start: true });
      const watch = piped([id, '--json', '--server', server.url, '--token', host.token!]);
      await watch.stderrShows(/Watching "Reader gone" live/);
      watch.closeStdout();
      // The next line it writes finds nobody reading.
      const candidate = await joined(server.url, joinToken);
      await candidate.report('TAB_SWITCH');
      assert.equal(await watch.exitedWithin(EXIT_BOUND_MS), 0, watch.stderr);
    });

    it('exits by itself once its parent is gone (stdout and stderr closed) and the server stops', async () => {
      const own = await ownServer('Orphan');
      const watch = piped([own.id, '--json', '--server', own.platform.url, '--token', own.owner.token!]);
      await watch.stderrShows(/Watching "Orphan" live/);
      watch.closeOutput();
      // Its notice of the lost connection finds nobody reading.
      await own.platform.close();
      assert.equal(await watch.exitedWithin(EXIT_BOUND_MS), 0);
    });

    it('stops on SIGINT while the server never completes the WebSocket handshake', async () => {
      const { id } = await interview('Handshake', { start: true });
      const gateway = await startHangingServer({ forwardTo: server.url });
      cleanups.push(() => gateway.close());
      const watch = piped([id, '--json', '--server', gateway.url, '--token', host.token!]);
      await gateway.hanging;
      watch.signal('SIGINT');
      assert.equal(await watch.exitedWithin(EXIT_BOUND_MS), 0, watch.stderr);
    });

    it('the dashboard quits on Ctrl-C while the server never completes the WebSocket handshake', async () => {
      const { id } = await interview('Dashboard handshake', { start: true });
      const gateway = await startHangingServer({ forwardTo: server.url });
      cleanups.push(() => gateway.close());
      const tmux = await terminal([id], { server: gateway.url });
      await gateway.hanging;
      await tmux.waitFor(/Dashboard handshake/);
      await tmux.sendKeys('C-c');
      assert.equal(await tmux.waitForEnd(EXIT_BOUND_MS), 0);
    });
  });
});
