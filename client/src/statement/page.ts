// The candidate statement page (/s/<statement link token>): what was flagged in the interview, the
// reviewer's verdict on each flag and the decision, in plain words, and a form for the one written
// statement the candidate may leave. Everything shown is text nodes (h()), never markup: the
// statement is the candidate's own input and the titles are the host's.
import type { ReviewDecision, ReviewVerdict } from '../../../contract/review.ts';
import { CANDIDATE_STATEMENT_MAX_LENGTH } from '../../../contract/review.ts';
import type { Severity, ViolationType } from '../../../contract/violations.ts';
import { ApiError, graphql } from '../api.ts';
import { showError } from '../candidate/error-page.ts';
import { h, show } from '../dom.ts';

const PAGE_FIELDS = `interviewTitle candidateName decision decidedAt expiresAt
  flags { type severity occurredAt durationMs count verdict } statement { text submittedAt }`;
const PAGE = `query($token: String!) { candidateStatementPage(token: $token) { ${PAGE_FIELDS} } }`;
const SUBMIT = `mutation($token: String!, $text: String!) { submitCandidateStatement(token: $token, text: $text) { ${PAGE_FIELDS} } }`;

interface Flag {
  type: ViolationType;
  severity: Severity;
  occurredAt: string;
  durationMs: number;
  count: number;
  verdict: ReviewVerdict | null;
}

interface StatementPage {
  interviewTitle: string;
  candidateName: string;
  decision: ReviewDecision;
  decidedAt: string;
  expiresAt: string;
  flags: Flag[];
  statement: { text: string; submittedAt: string } | null;
}

const WHAT: Record<ViolationType, string> = {
  TAB_SWITCH: 'You switched to another browser tab',
  WINDOW_BLUR: 'You switched to another window',
  FACE_MISSING: 'Your face was not visible to the camera',
  MULTIPLE_FACES: 'More than one face was visible to the camera',
  LOOKING_AWAY: 'You looked away from the screen',
  AUDIO_DETECTED: 'A voice was heard on your microphone',
  FULLSCREEN_EXIT: 'You left fullscreen',
  RESIZE_ATTEMPT: 'The browser window was resized',
  COPY_PASTE: 'Copying or pasting was attempted',
  CONTEXT_MENU: 'The right-click menu was opened',
  DEVTOOLS_OPEN: 'Developer tools were opened',
  HEARTBEAT_LOST: 'The interview page stopped responding',
  MEDIA_LOST: 'Your camera or microphone stream was lost',
  SCREEN_SHARE_STOPPED: 'Your screen stopped being shared',
  MULTIPLE_DISPLAYS: 'More than one display was connected',
};

const SEVERITY: Record<Severity, string> = { LOW: 'Low', MEDIUM: 'Medium', HIGH: 'High', CRITICAL: 'Critical' };

const VERDICT: Record<ReviewVerdict | 'NONE', string> = {
  CONFIRMED: 'Confirmed by the reviewer',
  DISMISSED: 'Dismissed by the reviewer: it does not count',
  NONE: 'Not reviewed one by one',
};

const DECISION: Record<ReviewDecision, string> = {
  CLEARED: 'Cleared: the reviewer found no integrity concerns.',
  CONCERNS: 'Concerns: the reviewer has some concerns about the integrity of the interview.',
  REJECTED: 'Rejected: the reviewer concluded that the interview did not meet the integrity rules.',
};

const EXPIRED_HINT = 'Statement links work for a limited time. Ask the person who sent it for a new link.';

export async function runStatement(token: string, notice?: string): Promise<void> {
  try {
    render(token, (await graphql<{ candidateStatementPage: StatementPage }>(PAGE, { token })).candidateStatementPage, notice);
  } catch (error) {
    refused(error);
  }
}

/** A link that cannot be used (expired, tampered, turned off) gets a page that says so. */
function refused(error: unknown): void {
  const apiError = error instanceof ApiError ? error : undefined;
  if (apiError?.reason === 'EXPIRED') showError('This link has expired', 'The time to leave a statement on this review is over.', EXPIRED_HINT);
  else if (apiError?.reason === 'CANDIDATE_STATEMENTS_OFF') showError('Statements are not accepted', 'This organisation no longer accepts statements on reviews.');
  else if (apiError?.code === 'UNAUTHENTICATED' || apiError?.code === 'NOT_FOUND')
    showError('This link is not valid', 'The link may be incomplete: copy the whole link from the message you received.');
  else showError('The page cannot be shown', (error as Error).message, 'Reload the page to try again.');
}

function render(token: string, page: StatementPage, notice?: string): void {
  show(
    'statement',
    h(
      'section',
      { class: 'card statement' },
      h('h1', {}, `Your interview review: ${page.interviewTitle}`),
      h(
        'p',
        {},
        `Hello ${page.candidateName}. A person reviewed what the proctoring flagged during your interview. Here is what was flagged, what the reviewer made of each flag, and the decision.`,
      ),
      h('h2', {}, 'Decision'),
      h('p', { id: 'decision', class: 'decision', 'data-decision': page.decision }, DECISION[page.decision]),
      h('p', { class: 'hint' }, `Decided ${when(page.decidedAt)}.`),
      h('h2', {}, 'What was flagged'),
      flagTable(page.flags),
      h('h2', { id: 'statement-heading', tabindex: '-1' }, 'Your statement'),
      page.statement ? received(page.statement, notice) : form(token, page),
    ),
  );
}

function flagTable(flags: Flag[]): Node {
  if (flags.length === 0) return h('p', { id: 'flags' }, 'Nothing was flagged.');
  const cell = (text: string) => h('td', {}, text);
  return h(
    'table',
    { id: 'flags', class: 'flags' },
    h('caption', { class: 'hint' }, `${flags.length} flag${flags.length === 1 ? '' : 's'}, in the order they happened (times in your time zone)`),
    h('thead', {}, h('tr', {}, ...['When', 'What', 'Severity', 'How long', 'Reviewer'].map((title) => h('th', { scope: 'col' }, title)))),
    h(
      'tbody',
      {},
      ...flags.map((flag) =>
        h(
          'tr',
          { 'data-type': flag.type, 'data-verdict': flag.verdict ?? 'NONE' },
          cell(clock(flag.occurredAt)),
          cell(flag.count > 1 ? `${WHAT[flag.type]} (${flag.count} times)` : WHAT[flag.type]),
          cell(SEVERITY[flag.severity]),
          cell(seconds(flag.durationMs)),
          cell(VERDICT[flag.verdict ?? 'NONE']),
        ),
      ),
    ),
  );
}

function received(statement: NonNullable<StatementPage['statement']>, notice?: string): Node {
  return h(
    'div',
    {},
    notice && h('p', { id: 'statement-notice', class: 'notice done', role: 'status' }, notice),
    h('blockquote', { id: 'statement-text', class: 'statement-text' }, statement.text),
    h(
      'p',
      { class: 'hint' },
      `Received ${when(statement.submittedAt)}. It is kept with the review, shown to the interviewer and printed in the report. Only one statement is accepted.`,
    ),
  );
}

function form(token: string, page: StatementPage): Node {
  const max = CANDIDATE_STATEMENT_MAX_LENGTH;
  const textarea = h('textarea', {
    id: 'statement-input',
    name: 'text',
    rows: '8',
    maxlength: String(max),
    required: true,
    'aria-describedby': 'statement-help statement-count',
  });
  const count = h('p', { id: 'statement-count', class: 'hint' }, `0 of ${max} characters`);
  const error = h('p', { id: 'statement-error', class: 'notice error', role: 'alert', hidden: true });
  const button = h('button', { id: 'send-statement', type: 'submit' }, 'Send my statement');
  textarea.addEventListener('input', () => (count.textContent = `${textarea.value.length} of ${max} characters`));
  const fail = (message: string) => {
    error.textContent = message;
    error.hidden = false;
    button.disabled = false;
    button.textContent = 'Send my statement';
    textarea.removeAttribute('aria-busy');
    textarea.focus();
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    if (button.disabled) return;
    if (!textarea.value.trim()) return fail('Write your statement first.');
    button.disabled = true;
    button.textContent = 'Sending…';
    textarea.setAttribute('aria-busy', 'true');
    error.hidden = true;
    try {
      const { submitCandidateStatement } = await graphql<{ submitCandidateStatement: StatementPage }>(SUBMIT, { token, text: textarea.value });
      render(token, submitCandidateStatement, 'Thank you: your statement was received.');
      document.getElementById('statement-heading')?.focus();
    } catch (caught) {
      const apiError = caught instanceof ApiError ? caught : undefined;
      if (apiError?.reason === 'STATEMENT_SUBMITTED') {
        // Sent before (another tab, a double send): show the one that counts.
        await runStatement(token, 'A statement was already received for this review (only one is accepted): this is the one kept.');
        document.getElementById('statement-heading')?.focus();
        return;
      }
      if (apiError?.code === 'BAD_USER_INPUT') return fail(apiError.message.replace(/^text: /, 'Your statement ').concat('.'));
      if (apiError?.code === 'UNREACHABLE') return fail(apiError.message);
      refused(caught);
    }
  };
  return h(
    'form',
    { id: 'statement-form', novalidate: true, onsubmit: (event: Event) => void submit(event) },
    h('label', { for: 'statement-input' }, 'If you want, tell the organisation your side: what happened, and anything the reviewer should know.'),
    h(
      'p',
      { id: 'statement-help', class: 'hint' },
      `You can send one statement of up to ${max} characters; it cannot be changed afterwards. It is kept with the review, shown to the interviewer and printed in the report. This link works until ${when(page.expiresAt)}.`,
    ),
    textarea,
    count,
    error,
    h('div', { class: 'actions' }, button),
  );
}

function when(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'long', timeStyle: 'short' });
}

function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function seconds(ms: number): string {
  if (ms < 1000) return 'a moment';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
