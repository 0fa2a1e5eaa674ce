// The review page (/r/<interviewId>#<review link token>): one candidate's recording on the
// interview clock, every flag on a timeline and in a list beside it, verdicts, the score
// explanation and the decision. The link's token is exchanged once for a review login kept in
// this tab only. The video is on the page, loading, as soon as its tracks are known; the flags
// (page by page, onto the timeline and the list) and the report fill in after it, so that a long
// interview's thousands of flags never hold back its first frame. Keyboard: see KEYS (shown on
// the page).
import { REVIEW_DECISIONS, REVIEW_NOTE_MAX_LENGTH } from '../../../contract/review.ts';
import { ApiError, graphql } from '../api.ts';
import { showError } from '../candidate/error-page.ts';
import { h, show, toast } from '../dom.ts';
import { ClockPlayer, type Track } from './playback.ts';
import { Timeline, type Span } from './timeline.ts';
import { clock, type Flag, type Verdict } from './flag.ts';
import { FlagDetail } from './flag-detail.ts';
import { Snapshots } from './snapshots.ts';
import { ViolationList } from './violation-list.ts';

const ENTER = 'mutation($token: String!) { enterReview(token: $token) { token candidateId } }';
const CANDIDATE = `query($id: ID!) { interview(id: $id) { id title status startedAt endedAt candidates(first: 100) { edges { node {
  id name reviewStatus review { decision note reviewer { name } at } sessions { id } } } } } }`;
const RECORDING = `query($id: ID!, $candidateId: ID!) { recording(interviewId: $id, candidateId: $candidateId) { startedAt tracks { participant kind startMs url } } }`;
const VIOLATIONS = `query($id: ID!, $after: String) { interview(id: $id) { candidates(first: 100) { edges { node { id sessions { id
  violations(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id type severity occurredAt durationMs count confidence snapshotUrl review { verdict note } } } } } } } } } }`;
const REPORT = `query($id: ID!, $candidateId: ID) { report(interviewId: $id, candidateId: $candidateId) { status
  scores { focus integrity composite } reviewedScores { focus integrity composite }
  explanation { sentence } reviewedExplanation { sentence } timeline { category bars { startMs durationMs } } } }`;
const REVIEW_VIOLATION =
  'mutation($id: ID!, $verdict: ReviewVerdict!, $note: String) { reviewViolation(id: $id, verdict: $verdict, note: $note) { id review { verdict note } } }';
const COMPLETE = `mutation($interviewId: ID!, $candidateId: ID!, $decision: ReviewDecision!, $note: String) {
  completeReview(interviewId: $interviewId, candidateId: $candidateId, decision: $decision, note: $note) { id reviewStatus review { decision note reviewer { name } at } } }`;

/** The flags and the report wait this long at most for the video's first frame. */
const FIRST_FRAME_WAIT_MS = 3000;
/** Playback starts this long before a flag, to see what led to it. */
const LEAD_IN_MS = 3000;
const SEEK_STEP_MS = 5000;
const RATES = [1, 2, 3, 4];
const KEYS: [string, string][] = [
  ['j / k', 'next / previous flag (plays from 3 s before it); ↑ / ↓ in the list'],
  ['c / x', 'confirm / dismiss the selected flag (with its note)'],
  ['Space', 'play / pause'],
  ['← / →', 'back / forward 5 s'],
  ['1 – 4', 'playback speed 1× – 4×'],
];

interface Decision {
  decision: string;
  note: string | null;
  reviewer: { name: string };
  at: string;
}

interface ReviewCandidate {
  id: string;
  name: string;
  reviewStatus: string;
  review: Decision | null;
  sessions: { id: string }[];
}

interface ReviewInterview {
  id: string;
  title: string;
  status: string;
  startedAt: string | null;
  endedAt: string | null;
  candidates: { edges: { node: ReviewCandidate }[] };
}

interface ViolationNode extends Omit<Flag, 'atMs'> {
  occurredAt: string;
}

interface ViolationPage {
  interview: {
    candidates: {
      edges: {
        node: { id: string; sessions: { id: string; violations: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: ViolationNode }[] } }[] };
      }[];
    };
  };
}

interface Recording {
  startedAt: string;
  tracks: { participant: Track['participant']; kind: Track['kind']; startMs: number; url: string }[];
}

interface Report {
  status: string;
  scores: { focus: number; integrity: number; composite: number } | null;
  reviewedScores: { focus: number; integrity: number; composite: number } | null;
  explanation: { sentence: string }[] | null;
  reviewedExplanation: { sentence: string }[] | null;
  timeline: { category: string; bars: Span[] }[];
}

export async function runReview(interviewId: string): Promise<void> {
  const storageKey = `proctor.review.${interviewId}`;
  const linkToken = location.hash.slice(1);
  history.replaceState(null, '', location.pathname);
  let login = JSON.parse(sessionStorage.getItem(storageKey) ?? 'null') as { token: string; candidateId: string } | null;
  let interview: ReviewInterview;
  let recording: Recording | null;
  try {
    if (linkToken) {
      login = (await graphql<{ enterReview: { token: string; candidateId: string } }>(ENTER, { token: linkToken })).enterReview;
      sessionStorage.setItem(storageKey, JSON.stringify(login));
    }
    if (!login) throw new ApiError('Open the review page with a fresh link: run `proctor review <interview>` in your terminal.', 'UNAUTHENTICATED');
    // Only what the video needs comes first; the flags and the report are asked for once it shows its first frame.
    [interview, recording] = await Promise.all([
      graphql<{ interview: ReviewInterview }>(CANDIDATE, { id: interviewId }, login.token).then((data) => data.interview),
      loadRecording(interviewId, login.candidateId, login.token),
    ]);
  } catch (error) {
    showError('The review cannot be opened', (error as Error).message, 'Review links are short-lived: run `proctor review <interview>` again for a new one.');
    return;
  }
  const { token, candidateId } = login;
  const candidate = interview.candidates.edges.map((e) => e.node).find((c) => c.id === candidateId);
  if (!candidate) {
    showError('The review cannot be opened', 'This candidate is no longer part of the interview.');
    return;
  }
  const clockStart = Date.parse(interview.startedAt ?? interview.endedAt ?? '') || 0;
  const page = new ReviewPage({ interview, candidate, tracks: onClock(recording, clockStart), token, clockStart });
  // Their queries would compete with the video's first requests on the server and in this tab.
  await Promise.race([page.firstFrame(), new Promise((resolve) => setTimeout(resolve, FIRST_FRAME_WAIT_MS))]);
  void loadReport(interviewId, candidateId, token).then((report) => page.showReport(report));
  try {
    await loadFlags(interviewId, candidateId, token, clockStart, (flags) => page.addFlags(flags));
    page.flagsLoaded();
  } catch (error) {
    page.flagsFailed((error as Error).message);
  }
}

/** The candidate's recording; null when nothing was recorded. */
async function loadRecording(interviewId: string, candidateId: string, token: string): Promise<Recording | null> {
  try {
    return (await graphql<{ recording: Recording }>(RECORDING, { id: interviewId, candidateId }, token)).recording;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'NOT_FOUND') return null;
    throw error;
  }
}

/** The recorded tracks on the page's clock (ms after the interview started). */
function onClock(recording: Recording | null, clockStart: number): Track[] {
  if (!recording) return [];
  const recordingStart = Date.parse(recording.startedAt) - clockStart;
  return recording.tracks.map(({ participant, kind, startMs, url }) => ({ participant, kind, url, offsetMs: recordingStart + startMs }));
}

/** Every flag of the candidate, handed to `onPage` a page at a time as the pages arrive. */
async function loadFlags(interviewId: string, candidateId: string, token: string, clockStart: number, onPage: (flags: Flag[]) => void): Promise<void> {
  const sessions = new Map<string, string | null>();
  // Every session's pages: the cursor is per session, so each round asks for the sessions not done yet.
  for (let round = 0; ; round++) {
    const pending = round === 0 ? [null] : [...new Set(sessions.values())].filter((cursor) => cursor !== null);
    if (round > 0 && pending.length === 0) break;
    for (const after of pending) {
      const page = await graphql<ViolationPage>(VIOLATIONS, { id: interviewId, after }, token);
      const node = page.interview.candidates.edges.find((e) => e.node.id === candidateId)?.node;
      const flags: Flag[] = [];
      for (const session of node?.sessions ?? []) {
        if (round > 0 && sessions.get(session.id) !== after) continue;
        for (const { node: v } of session.violations.edges) flags.push({ ...v, atMs: Date.parse(v.occurredAt) - clockStart });
        sessions.set(session.id, session.violations.pageInfo.hasNextPage ? session.violations.pageInfo.endCursor : null);
      }
      onPage(flags);
    }
  }
}

async function loadReport(interviewId: string, candidateId: string, token: string): Promise<Report | null> {
  try {
    return (await graphql<{ report: Report | null }>(REPORT, { id: interviewId, candidateId }, token)).report;
  } catch {
    return null;
  }
}

interface PageData {
  interview: ReviewInterview;
  candidate: ReviewCandidate;
  tracks: Track[];
  token: string;
  clockStart: number;
}

class ReviewPage {
  readonly #interviewId: string;
  readonly #candidate: ReviewCandidate;
  readonly #token: string;
  readonly #player: ClockPlayer;
  readonly #timeline: Timeline;
  readonly #list: ViolationList;
  readonly #detail: FlagDetail;
  readonly #flagsBox: HTMLElement;
  readonly #flagsHeading: HTMLElement;
  #explanationBox: HTMLElement;
  readonly #rateButtons: HTMLButtonElement[];
  readonly #decisionBox: HTMLElement;
  #selected: string | undefined;
  #done: boolean;

  /** Shows the page with its video loading; the flags and the report are added as they arrive. */
  constructor({ interview, candidate, tracks, token, clockStart }: PageData) {
    this.#interviewId = interview.id;
    this.#candidate = candidate;
    this.#token = token;
    this.#done = candidate.reviewStatus === 'DONE';
    const lengthMs = Math.max((Date.parse(interview.endedAt ?? '') || clockStart) - clockStart, ...tracks.map((t) => t.offsetMs), 1000);
    const video = h('video', { id: 'review-video', class: 'review-video', playsinline: true, preload: 'auto', 'aria-label': `${candidate.name}'s recording` });
    const hostVideo = h('video', { id: 'host-video', class: 'host-video', playsinline: true, preload: 'auto', 'aria-label': "The host's camera" });
    this.#player = new ClockPlayer(video, hostVideo, tracks);
    this.#timeline = new Timeline(
      lengthMs,
      (id) => this.#selectFlag(id),
      (ms) => this.#player.seek(ms),
    );
    const snapshots = new Snapshots(token);
    this.#list = new ViolationList({ select: (id) => this.#selectFlag(id), snapshot: (url) => snapshots.get(url) });
    this.#detail = new FlagDetail({ verdict: (id, verdict, note) => void this.#giveVerdict(id, verdict, note), snapshot: (url) => snapshots.get(url) }, this.#done);
    const time = h('span', { id: 'clock', class: 'clock', 'aria-live': 'off' }, '00:00');
    video.addEventListener('timeupdate', () => {
      this.#timeline.clockMs = this.#player.clockMs;
      const shown = `${clock(this.#player.clockMs)} / ${clock(lengthMs)}`;
      if (time.textContent !== shown) time.textContent = shown;
    });
    const playButton = h('button', { type: 'button', id: 'play', 'aria-label': 'Play or pause (Space)', onclick: () => this.#togglePlay() }, 'Play');
    video.addEventListener('play', () => (playButton.textContent = 'Pause'));
    video.addEventListener('pause', () => (playButton.textContent = 'Play'));
    this.#rateButtons = RATES.map((rate) =>
      h(
        'button',
        { type: 'button', class: 'rate secondary', 'aria-pressed': String(rate === 1), 'aria-label': `Speed ${rate}× (key ${rate})`, onclick: () => this.#setRate(rate) },
        `${rate}×`,
      ),
    );
    const stage = this.#player.hasRecording
      ? h('div', { class: 'review-stage' }, video, hostVideo)
      : h(
          'div',
          { class: 'review-stage empty', id: 'no-recording' },
          h('p', {}, 'No recording: the candidate’s camera was not recorded for this interview. The flags and snapshots below are still reviewable.'),
        );
    this.#explanationBox = h('section', { class: 'explanation' }, h('h2', {}, 'Score'), h('p', { class: 'hint' }, 'Loading the report…'));
    this.#decisionBox = h('section', { class: 'decision', 'aria-label': 'Decision' });
    this.#renderDecision();
    this.#flagsHeading = h('h2', {}, 'Flags (loading…)');
    this.#flagsBox = h('aside', { class: 'review-side', 'aria-label': 'Flags', 'aria-busy': 'true' }, this.#flagsHeading, this.#detail.element, this.#list.element);
    show(
      'review',
      h(
        'section',
        { class: 'review' },
        h('header', {}, h('h1', {}, `${interview.title} — ${candidate.name}`), h('span', { id: 'review-status', class: 'badge' }, candidate.reviewStatus)),
        h(
          'div',
          { class: 'review-grid' },
          h(
            'div',
            { class: 'review-main' },
            stage,
            this.#timeline.element,
            h('div', { class: 'transport', role: 'toolbar', 'aria-label': 'Playback' }, playButton, time, ...this.#rateButtons, legend()),
            h('div', { class: 'review-lower' }, this.#explanationBox, this.#decisionBox, keyHelp()),
          ),
          this.#flagsBox,
        ),
      ),
    );
    document.addEventListener('keydown', (event) => this.#onKey(event));
  }

  /** One page of flags: on the timeline and in the list (which keeps them in time order). */
  addFlags(flags: Flag[]): void {
    this.#timeline.add(flags.map((f) => ({ id: f.id, atMs: f.atMs, severity: f.severity, label: `${clock(f.atMs)} ${f.type} (${f.severity})` })));
    this.#list.add(flags);
    this.#flagsHeading.textContent = `Flags (loading… ${this.#list.length})`;
  }

  /** Every page is in: the list is complete (aria-busy false), or says there is nothing to review. */
  flagsLoaded(): void {
    this.#flagsHeading.textContent = `Flags (${this.#list.length})`;
    if (this.#list.length === 0) {
      this.#detail.element.remove();
      this.#list.element.replaceWith(h('p', { id: 'no-flags', class: 'hint' }, 'No flags: nothing was raised during this interview. Complete the review below.'));
    }
    this.#flagsBox.setAttribute('aria-busy', 'false');
  }

  flagsFailed(message: string): void {
    this.#flagsHeading.textContent = `Flags (${this.#list.length}, not all could be loaded)`;
    this.#flagsBox.setAttribute('aria-busy', 'false');
    toast(`The flags could not all be loaded: ${message} Reload the page to try again.`, 'warning');
  }

  firstFrame(): Promise<void> {
    return this.#player.firstFrame();
  }

  /** The score and its explanation, and the stream-quality dips on the timeline. */
  showReport(report: Report | null): void {
    this.#explanationBox.replaceWith((this.#explanationBox = explanation(report)));
    this.#timeline.addDips(report?.timeline.find((row) => row.category === 'MEDIA_LOST')?.bars ?? []);
  }

  #onKey(event: KeyboardEvent): void {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target as HTMLElement;
    if (target.closest('input, textarea, select')) return;
    const selected = this.#selected;
    const at = this.#list.indexOf(selected);
    const actions: Record<string, () => void> = {
      j: () => this.#selectFlag(this.#list.flagAt(Math.min(this.#list.length - 1, at + 1))?.id),
      k: () => this.#selectFlag(this.#list.flagAt(Math.max(0, at - 1))?.id),
      c: () => selected && !this.#done && void this.#giveVerdict(selected, 'CONFIRMED', this.#detail.noteOf(selected)),
      x: () => selected && !this.#done && void this.#giveVerdict(selected, 'DISMISSED', this.#detail.noteOf(selected)),
      ArrowLeft: () => this.#player.seek(this.#player.clockMs - SEEK_STEP_MS),
      ArrowRight: () => this.#player.seek(this.#player.clockMs + SEEK_STEP_MS),
      ...Object.fromEntries(RATES.map((rate) => [String(rate), () => this.#setRate(rate)])),
    };
    if (event.key === ' ' && !target.closest('button')) actions[' '] = () => this.#togglePlay();
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  }

  #selectFlag(flagId: string | undefined): void {
    const flag = this.#list.flagAt(this.#list.indexOf(flagId));
    if (!flag) return;
    this.#selected = flag.id;
    this.#timeline.select(flag.id);
    this.#list.select(flag.id);
    this.#detail.show(flag);
    this.#player.seek(Math.max(0, flag.atMs - LEAD_IN_MS));
    document.body.dataset.selectedFlag = flag.id;
  }

  async #giveVerdict(flagId: string, verdict: Verdict, note: string): Promise<void> {
    try {
      const { reviewViolation } = await graphql<{ reviewViolation: { id: string; review: Flag['review'] } }>(
        REVIEW_VIOLATION,
        { id: flagId, verdict, note: note.trim() || null },
        this.#token,
      );
      this.#list.update(flagId, reviewViolation.review);
      this.#detail.refresh(flagId);
      document.getElementById('review-status')!.textContent = 'IN_REVIEW';
      toast(`${verdict === 'CONFIRMED' ? 'Confirmed' : 'Dismissed'}`);
    } catch (error) {
      toast((error as Error).message, 'warning');
    }
  }

  #renderDecision(): void {
    const review = this.#candidate.review;
    if (this.#done && review) {
      this.#decisionBox.replaceChildren(
        h('h2', {}, 'Review complete'),
        h('p', { id: 'decision' }, `${review.decision} by ${review.reviewer.name} on ${new Date(review.at).toLocaleString()}`),
        h('p', { class: 'hint' }, review.note ?? ''),
        h('p', { class: 'hint' }, 'A completed review is final: this page is read-only.'),
      );
      return;
    }
    const decision = h(
      'select',
      { id: 'decision-choice', 'aria-label': 'Decision' },
      ...REVIEW_DECISIONS.map((d) => h('option', { value: d }, d.charAt(0) + d.slice(1).toLowerCase())),
    );
    const note = h('textarea', { id: 'decision-note', maxlength: String(REVIEW_NOTE_MAX_LENGTH), rows: '2', 'aria-label': 'Decision note', placeholder: 'Why (optional)' });
    const submit = async (event: Event) => {
      event.preventDefault();
      try {
        const { completeReview } = await graphql<{ completeReview: { reviewStatus: string; review: Decision } }>(
          COMPLETE,
          { interviewId: this.#interviewId, candidateId: this.#candidate.id, decision: decision.value, note: note.value.trim() || null },
          this.#token,
        );
        this.#candidate.review = completeReview.review;
        this.#done = true;
        document.getElementById('review-status')!.textContent = completeReview.reviewStatus;
        this.#detail.setReadOnly();
        this.#renderDecision();
      } catch (error) {
        toast((error as Error).message, 'warning');
      }
    };
    this.#decisionBox.replaceChildren(
      h('h2', {}, 'Complete the review'),
      h(
        'form',
        { class: 'decision-form', onsubmit: (event: Event) => void submit(event) },
        decision,
        note,
        h('button', { type: 'submit', id: 'complete-review' }, 'Complete review'),
      ),
      h('p', { class: 'hint' }, 'Once only: a new report version is made with the reviewed scores (dismissed flags left out).'),
    );
  }

  #togglePlay(): void {
    if (this.#player.paused) void this.#player.play();
    else this.#player.pause();
  }

  #setRate(rate: number): void {
    this.#player.setRate(rate);
    this.#rateButtons.forEach((button, i) => button.setAttribute('aria-pressed', String(RATES[i] === rate)));
  }
}

function explanation(report: Report | null): HTMLElement {
  if (!report?.scores)
    return h('section', { class: 'explanation' }, h('h2', {}, 'Score'), h('p', { class: 'hint' }, report ? `The report is ${report.status}.` : 'No report yet.'));
  const reviewed = report.reviewedScores;
  const lines = (report.reviewedExplanation ?? report.explanation ?? []).map((c) => h('li', {}, c.sentence));
  return h(
    'section',
    { class: 'explanation', id: 'explanation' },
    h('h2', {}, 'Score'),
    h(
      'p',
      {},
      `Composite ${report.scores.composite} (integrity ${report.scores.integrity}, focus ${report.scores.focus})`,
      reviewed ? ` — after review ${reviewed.composite} (integrity ${reviewed.integrity}, focus ${reviewed.focus})` : '',
    ),
    lines.length ? h('ul', {}, ...lines) : h('p', { class: 'hint' }, 'No points lost.'),
  );
}

function legend(): HTMLElement {
  return h(
    'span',
    { class: 'legend', 'aria-label': 'Marker shapes by severity' },
    ...['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'].map((severity) => h('span', {}, h('span', { class: `shape sev-${severity}`, 'aria-hidden': 'true' }), severity.toLowerCase())),
  );
}

function keyHelp(): HTMLElement {
  return h(
    'section',
    { class: 'keys', 'aria-label': 'Keyboard shortcuts' },
    h('h2', {}, 'Keys'),
    h('dl', {}, ...KEYS.flatMap(([key, what]) => [h('dt', {}, h('kbd', {}, key)), h('dd', {}, what)])),
  );
}
