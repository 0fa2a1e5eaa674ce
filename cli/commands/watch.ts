import { Args } from '@oclif/core';
import { ApiCommand, ApiError, EXIT_CODES_HELP, ExitCode, exitCodeFor } from '../base-command.ts';
import { InterviewFeed } from '../live/interview-feed.ts';
import { NdjsonWriter } from '../live/ndjson-writer.ts';
import { INTERVIEW_HISTORY_QUERY, type InterviewHistory } from '../live/wire.ts';
import { collectPages, PAGE_FIELDS, type Connection } from '../paging.ts';
import { exitIfStillRunningAfter, nextSignal } from '../signals.ts';
import type { DashboardActions, DashboardUpdate } from '../tui/dashboard.ts';
import { dashboardFromHistory } from '../tui/dashboard-state.ts';
import type { PickableInterview } from '../tui/interview-picker.ts';

/**
 * React and Ink, loaded only when drawing. React's development build costs several times the
 * CPU per render (measured by bench/tui.ts), so it gets the production build unless told otherwise.
 */
async function loadScreens() {
  process.env.NODE_ENV ??= 'production';
  return import('../tui/screens.ts');
}

/** Once stopping, how long `watch` may take to finish before it exits regardless (see cli/signals.ts). */
const STOP_GRACE_MS = 3_000;

/**
 * Resolves when `watch` must stop: on SIGINT or SIGTERM, or once stdout or stderr can no longer be
 * written (EPIPE: the reader went away, as `| head` does or a parent that died). Either way
 * nobody is left to read what comes next. The streams' errors are all taken here, so a write to
 * a closed pipe never becomes an uncaught exception.
 */
function untilStopped(): Promise<void> {
  const signal = nextSignal(STOP_GRACE_MS);
  const outputGone = new Promise<void>((resolve) => {
    for (const stream of [process.stdout, process.stderr]) stream.on('error', () => resolve());
  });
  void outputGone.then(() => exitIfStillRunningAfter(STOP_GRACE_MS));
  return Promise.race([signal.then(() => {}), outputGone]);
}

export default class Watch extends ApiCommand<typeof Watch> {
  static override summary = 'Watch an interview live: candidates, stream quality and integrity alerts as they happen';
  static override description =
    'On a terminal, a full-screen dashboard: the header (status, elapsed time, recording, connection), the candidates ' +
    '(connection, camera/mic, bitrate and packet loss), the alerts newest first with totals per type, and a banner for ' +
    'HIGH and CRITICAL ones. Keys: p ping the selected candidate, s start, e end (asks first), r report, / filter by type, ' +
    '↑↓ select a candidate, q quit. History from before is loaded first; a dropped connection is retried by itself.\n\n' +
    'When stdout is not a terminal, or with --json, it prints one JSON line per event instead (persisted alerts first, ' +
    'marked "replayed": true) until interrupted; connection notices go to stderr.\n\n' +
    EXIT_CODES_HELP;
  static override examples = [
    '<%= config.bin %> <%= command.id %> 6f1c1a9e-8f8e-4f5e-9d7a-1b2c3d4e5f60',
    { description: 'Choose among the live and scheduled interviews', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'Critical alerts only, for a script',
      command: `<%= config.bin %> <%= command.id %> 6f1c1a9e-… --json | jq -c 'select(.event == "LiveAlert" and .severity == "CRITICAL")'`,
    },
  ];
  static override args = {
    interview: Args.string({ description: 'interview ID [default: choose from the live and scheduled ones]' }),
  };

  async run(): Promise<void> {
    const interactive = Boolean(process.stdout.isTTY && process.stdin.isTTY) && !this.jsonEnabled();
    if (this.args.interview === undefined && !interactive) {
      this.error('Which interview? Pass its ID (see `proctor interviews list`)', { exit: ExitCode.usage });
    }
    const stop = untilStopped();
    // Asked to stop while still loading (picking, fetching the history): nothing to clean up.
    const history = await Promise.race([this.#load(), stop]);
    if (history && interactive) await this.#dashboard(history, stop);
    else if (history) await this.#stream(history, stop);
    // Exits here rather than through oclif, which first waits for stdout to drain: a pipe whose
    // reader went away never does.
    process.exit(0);
  }

  /** The interview's history; undefined when the host quits the picker. */
  async #load(): Promise<InterviewHistory | undefined> {
    const interviewId = this.args.interview ?? (await this.#pick());
    if (!interviewId) return undefined;
    return (await this.graphql<{ interview: InterviewHistory }>(INTERVIEW_HISTORY_QUERY, { id: interviewId })).interview;
  }

  /** The interview picker; undefined when the host quits it. */
  async #pick(): Promise<string | undefined> {
    const choices: PickableInterview[] = [];
    for (const status of ['LIVE', 'SCHEDULED'] as const) {
      const { nodes } = await collectPages(
        async (after) =>
          (
            await this.graphql<{ interviews: Connection<PickableInterview> }>(
              `query($status: InterviewStatus, $after: String) { interviews(status: $status, first: 100, after: $after) { edges { node { id title status scheduledAt } } ${PAGE_FIELDS} } }`,
              { status, after },
            )
          ).interviews,
        { all: true },
      );
      choices.push(...nodes);
    }
    if (choices.length === 0) {
      this.error(`No live or scheduled interview to watch. Create one: ${this.config.bin} interviews create --title "…"`, { exit: ExitCode.notFound });
    }
    return (await (await loadScreens()).pickInterview(choices))?.id;
  }

  async #dashboard(history: InterviewHistory, stop: Promise<void>): Promise<void> {
    const feed = InterviewFeed.open({ server: this.server, token: this.authToken, interviewId: history.id });
    const listeners = new Set<(update: DashboardUpdate) => void>();
    const publish = (update: DashboardUpdate) => listeners.forEach((listener) => listener(update));
    let failure: (Error & { code?: string }) | undefined;
    feed.on('event', (event) => publish({ kind: 'event', event }));
    feed.on('connection', (change) => publish({ kind: 'connection', ...change }));
    feed.on('history', (reloaded) => publish({ kind: 'history', history: reloaded }));

    const { showDashboard } = await loadScreens();
    const dashboard = showDashboard({
      initial: dashboardFromHistory(history, Date.now()),
      subscribe: (listener: (update: DashboardUpdate) => void) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      actions: this.#actions(history),
    });
    feed.on('failed', (error) => {
      failure = error;
      dashboard.stop();
    });
    await Promise.race([dashboard.ended, stop]);
    exitIfStillRunningAfter(STOP_GRACE_MS);
    dashboard.stop();
    await feed.close();
    if (failure) this.#failed(failure);
  }

  async #stream(history: InterviewHistory, stop: Promise<void>): Promise<void> {
    const writer = new NdjsonWriter(process.stdout, history.id);
    writer.history(history);
    const feed = InterviewFeed.open({ server: this.server, token: this.authToken, interviewId: history.id });
    feed.on('event', (event) => writer.event(event));
    // Notices go straight to stderr: oclif silences its log helpers under --json, and these are for people.
    feed.on('connection', (change) => {
      if (change.state === 'reconnecting') process.stderr.write(`Connection lost${change.reason ? ` (${change.reason})` : ''}; reconnecting…\n`);
    });
    feed.on('history', (reloaded, { reconnected }) => {
      writer.history(reloaded);
      process.stderr.write(reconnected ? 'Reconnected; replayed what was missed\n' : `Watching "${history.title}" live: one JSON line per event (Ctrl-C to stop)\n`);
    });
    const failed = new Promise<Error & { code?: string }>((resolve) => feed.once('failed', resolve));
    const failure = await Promise.race([failed, stop]);
    exitIfStillRunningAfter(STOP_GRACE_MS);
    await feed.close();
    if (failure) this.#failed(failure);
  }

  #actions(history: InterviewHistory): DashboardActions {
    const move = async (mutation: 'startInterview' | 'endInterview', done: string) => {
      const data = await this.request<Record<string, { status: string }>>(`mutation($id: ID!) { ${mutation}(id: $id) { status } }`, { id: history.id });
      return `${done} (${data[mutation]!.status})`;
    };
    return {
      ping: async (candidate, message) => {
        const { pingCandidate } = await this.request<{ pingCandidate: { delivered: boolean } }>(
          'mutation($candidateId: ID!, $message: String!) { pingCandidate(candidateId: $candidateId, message: $message) { delivered } }',
          { candidateId: candidate.id, message },
        );
        return pingCandidate.delivered ? `Ping shown to ${candidate.name}` : `Ping saved, but ${candidate.name}'s page is not open`;
      },
      start: () => move('startInterview', 'Interview started'),
      end: () => move('endInterview', 'Interview ended'),
      report: (candidate) => this.#reportLink(history.id, candidate?.id ?? null),
    };
  }

  /** Where the selected candidate's report is, or why there is none yet. */
  async #reportLink(interviewId: string, candidateId: string | null): Promise<string> {
    const saveCommand = `${this.config.bin} report ${interviewId}${candidateId ? ` --candidate ${candidateId}` : ''} --out report.pdf`;
    try {
      const { report } = await this.request<{ report: { status: string; downloadUrl: string | null; error: string | null } }>(
        'query($id: ID!, $candidateId: ID) { report(interviewId: $id, candidateId: $candidateId) { status downloadUrl error } }',
        { id: interviewId, candidateId },
      );
      if (report.status === 'READY' && report.downloadUrl) return `Report ready: ${report.downloadUrl} (or ${saveCommand})`;
      if (report.status === 'FAILED') return `Report failed: ${report.error ?? 'unknown error'}`;
      return `Report ${report.status}: being generated…`;
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'NOT_FOUND') throw error;
      return 'No report yet: it is made when the interview ends';
    }
  }

  #failed(error: Error & { code?: string }): never {
    this.error(`The live feed ended: ${error.message}`, { code: error.code, exit: exitCodeFor(error.code) });
  }
}
