// Interview scores, deterministic: the formula and every weight live here (documented in the
// README; test/scoring.test.ts holds hand-computed cases).
//
// focus      = 100 × (1 − unfocused time / proctored time), where unfocused time is the union
//              of the intervals [occurredAt, occurredAt + durationMs] of FACE_MISSING,
//              LOOKING_AWAY, TAB_SWITCH and WINDOW_BLUR events, clipped to the interview.
// integrity  = 100 × e^(−penalty / PENALTY_SCALE); each event adds
//              SEVERITY_POINTS[severity] × (1 + min(durationMs, 60 s) / 30 s), and the sum is
//              scaled by min(1, 30 min / interview length) — a density, so a long interview is
//              not punished for the same slip — one brief tab switch costs ~8 points of 100,
//              five 10-second face losses sink it.
// composite  = 0.6 × integrity + 0.4 × focus.
// All three are rounded to whole numbers.
import type { Severity, ViolationType } from '../db/entities.ts';

export interface ScoredEvent {
  type: ViolationType;
  severity: Severity;
  occurredAt: Date;
  durationMs: number;
}

export interface ScoringInput {
  startedAt: Date;
  endedAt: Date;
  events: ScoredEvent[];
}

export interface Scores {
  focus: number;
  integrity: number;
  composite: number;
  summary: string;
}

export const SEVERITY_POINTS: Record<Severity, number> = { LOW: 1, MEDIUM: 3, HIGH: 8, CRITICAL: 20 };
export const PENALTY_SCALE = 100;
const DURATION_CAP_MS = 60_000;
const DURATION_UNIT_MS = 30_000;
const REFERENCE_LENGTH_MS = 30 * 60_000;
export const SCORE_WEIGHTS = { integrity: 0.6, focus: 0.4 };
const UNFOCUSED: ReadonlySet<ViolationType> = new Set(['FACE_MISSING', 'LOOKING_AWAY', 'TAB_SWITCH', 'WINDOW_BLUR']);
/** An event shorter than this is "brief" in the summary. */
const BRIEF_MS = 5_000;

export function score(input: ScoringInput): Scores {
  const lengthMs = Math.max(1, input.endedAt.getTime() - input.startedAt.getTime());
  const focus = Math.round(100 * (1 - unfocusedMs(input) / lengthMs));
  const penalty = input.events.reduce((sum, e) => sum + eventPoints(e), 0) * Math.min(1, REFERENCE_LENGTH_MS / lengthMs);
  const integrity = Math.round(100 * Math.exp(-penalty / PENALTY_SCALE));
  const composite = Math.round(SCORE_WEIGHTS.integrity * integrity + SCORE_WEIGHTS.focus * focus);
  return { focus, integrity, composite, summary: summarise(integrity, focus, input.events) };
}

export function eventPoints(event: ScoredEvent): number {
  return SEVERITY_POINTS[event.severity] * (1 + Math.min(Math.max(event.durationMs, 0), DURATION_CAP_MS) / DURATION_UNIT_MS);
}

/** Length of the union of the unfocused intervals inside the interview. */
function unfocusedMs({ startedAt, endedAt, events }: ScoringInput): number {
  const intervals = events
    .filter((e) => UNFOCUSED.has(e.type) && e.durationMs > 0)
    .map((e) => [Math.max(e.occurredAt.getTime(), startedAt.getTime()), Math.min(e.occurredAt.getTime() + e.durationMs, endedAt.getTime())] as const)
    .filter(([from, to]) => to > from)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let current: [number, number] | undefined;
  for (const [from, to] of intervals) {
    if (current && from <= current[1]) current[1] = Math.max(current[1], to);
    else {
      if (current) total += current[1] - current[0];
      current = [from, to];
    }
  }
  return total + (current ? current[1] - current[0] : 0);
}

const FAMILIES: { label: [string, string]; types: ViolationType[] }[] = [
  { label: ['tab switch', 'tab switches'], types: ['TAB_SWITCH', 'WINDOW_BLUR'] },
  { label: ['face issue', 'face issues'], types: ['FACE_MISSING', 'MULTIPLE_FACES'] },
  { label: ['look away', 'looks away'], types: ['LOOKING_AWAY'] },
  {
    label: ['other flag', 'other flags'],
    types: ['AUDIO_DETECTED', 'FULLSCREEN_EXIT', 'RESIZE_ATTEMPT', 'COPY_PASTE', 'CONTEXT_MENU', 'DEVTOOLS_OPEN', 'HEARTBEAT_LOST', 'MEDIA_LOST'],
  },
];
const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** "High integrity, good focus: two brief tab switches, no face issues." */
export function summarise(integrity: number, focus: number, events: ScoredEvent[]): string {
  const integrityWord = integrity >= 85 ? 'High' : integrity >= 60 ? 'Moderate' : 'Low';
  const focusWord = focus >= 90 ? 'good' : focus >= 70 ? 'fair' : 'poor';
  const parts = FAMILIES.flatMap(({ label, types }, index) => {
    const found = events.filter((e) => types.includes(e.type));
    // The first two families are always named (their absence is news); the rest only when present.
    if (found.length === 0) return index < 2 ? [`no ${label[1]}`] : [];
    const brief = found.every((e) => e.durationMs < BRIEF_MS) ? 'brief ' : '';
    const count = NUMBER_WORDS[found.length] ?? String(found.length);
    return [`${count} ${brief}${found.length === 1 ? label[0] : label[1]}`];
  });
  return `${integrityWord} integrity, ${focusWord} focus: ${parts.join(', ')}.`;
}
