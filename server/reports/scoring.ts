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
// Every point is explained: each score's deficit (100 − score) is shared among the violation
// types that caused it (see `explain`), in whole points that add up to it exactly.
// Events the candidate's accommodations cover count in none of it: they are listed apart
// (`accommodated`, e.g. "LOOKING_AWAY ×4 accommodated: not counted").
import type { Severity, ViolationType } from '../db/entities.ts';

export interface ScoredEvent {
  type: ViolationType;
  severity: Severity;
  occurredAt: Date;
  durationMs: number;
  /** Covered by the candidate's accommodations: not counted. */
  accommodated?: boolean;
}

export interface ScoringInput {
  startedAt: Date;
  endedAt: Date;
  events: ScoredEvent[];
}

export type ScoreDimension = 'INTEGRITY' | 'FOCUS' | 'COMPOSITE';

/**
 * What one violation type took from one score: `points` are whole points of the 100, and the
 * points of a dimension's contributions add up to exactly 100 − that score.
 */
export interface ScoreContribution {
  dimension: ScoreDimension;
  type: ViolationType;
  /** Events of this type. */
  count: number;
  /** Integrity: their total duration; focus: the unfocused time attributed to them; composite: their total duration. */
  seconds: number;
  points: number;
  /** e.g. "TAB_SWITCH ×3, 41 s total: −12 integrity" */
  sentence: string;
}

/** Events of one type the candidate's accommodations covered: recorded, not counted. */
export interface AccommodatedCount {
  type: ViolationType;
  count: number;
  seconds: number;
  /** e.g. "LOOKING_AWAY ×4 accommodated: not counted" */
  sentence: string;
}

export interface Scores {
  focus: number;
  integrity: number;
  composite: number;
  summary: string;
  contributions: ScoreContribution[];
  accommodated: AccommodatedCount[];
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

export function score(scored: ScoringInput): Scores {
  const input = { ...scored, events: scored.events.filter((e) => !e.accommodated) };
  const lengthMs = Math.max(1, input.endedAt.getTime() - input.startedAt.getTime());
  const unfocused = unfocusedByType(input);
  const focus = Math.round(100 * (1 - unfocused.totalMs / lengthMs));
  const penaltyByType = new Map<ViolationType, number>();
  for (const e of input.events) penaltyByType.set(e.type, (penaltyByType.get(e.type) ?? 0) + eventPoints(e));
  const penalty = sum([...penaltyByType.values()]) * Math.min(1, REFERENCE_LENGTH_MS / lengthMs);
  const integrity = Math.round(100 * Math.exp(-penalty / PENALTY_SCALE));
  const composite = Math.round(SCORE_WEIGHTS.integrity * integrity + SCORE_WEIGHTS.focus * focus);
  return {
    focus,
    integrity,
    composite,
    summary: summarise(integrity, focus, input.events),
    contributions: explain(input.events, lengthMs, { integrity, focus, composite }, penaltyByType, unfocused.byType),
    accommodated: accommodatedCounts(scored.events),
  };
}

function accommodatedCounts(events: ScoredEvent[]): AccommodatedCount[] {
  const byType = new Map<ViolationType, { count: number; ms: number }>();
  for (const e of events) {
    if (!e.accommodated) continue;
    const entry = byType.get(e.type) ?? { count: 0, ms: 0 };
    entry.count += 1;
    entry.ms += Math.max(e.durationMs, 0);
    byType.set(e.type, entry);
  }
  return [...byType]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, { count, ms }]) => ({ type, count, seconds: round1(ms / 1000), sentence: `${type} ×${count} accommodated: not counted` }));
}

export function eventPoints(event: ScoredEvent): number {
  return SEVERITY_POINTS[event.severity] * (1 + Math.min(Math.max(event.durationMs, 0), DURATION_CAP_MS) / DURATION_UNIT_MS);
}

/**
 * The union of the unfocused intervals inside the interview, and each type's share of it: a
 * stretch covered by k types at once counts 1/k to each, so the shares add up to the union.
 */
function unfocusedByType({ startedAt, endedAt, events }: ScoringInput): { totalMs: number; byType: Map<ViolationType, number> } {
  const edges: { at: number; type: ViolationType; delta: 1 | -1 }[] = [];
  for (const e of events) {
    if (!UNFOCUSED.has(e.type) || e.durationMs <= 0) continue;
    const from = Math.max(e.occurredAt.getTime(), startedAt.getTime());
    const to = Math.min(e.occurredAt.getTime() + e.durationMs, endedAt.getTime());
    if (to > from) edges.push({ at: from, type: e.type, delta: 1 }, { at: to, type: e.type, delta: -1 });
  }
  edges.sort((a, b) => a.at - b.at);
  const open = new Map<ViolationType, number>();
  const byType = new Map<ViolationType, number>();
  let totalMs = 0;
  let previous = 0;
  for (const edge of edges) {
    const covering = [...open].filter(([, n]) => n > 0).map(([type]) => type);
    const span = edge.at - previous;
    if (span > 0 && covering.length > 0) {
      totalMs += span;
      for (const type of covering) byType.set(type, (byType.get(type) ?? 0) + span / covering.length);
    }
    open.set(edge.type, (open.get(edge.type) ?? 0) + edge.delta);
    previous = edge.at;
  }
  return { totalMs, byType };
}

/**
 * Each dimension's deficit (100 − score) shared among the violation types in proportion to what
 * they cost before rounding: integrity by penalty, focus by unfocused time, composite by the
 * weighted sum of the two. Whole points by largest remainder, so they add up to the deficit.
 */
function explain(
  events: ScoredEvent[],
  lengthMs: number,
  scores: { integrity: number; focus: number; composite: number },
  penaltyByType: Map<ViolationType, number>,
  unfocusedMs: Map<ViolationType, number>,
): ScoreContribution[] {
  const types = [...penaltyByType.keys()];
  const stats = new Map(types.map((type) => [type, { count: 0, ms: 0 }]));
  for (const e of events) {
    const entry = stats.get(e.type)!;
    entry.count += 1;
    entry.ms += Math.max(e.durationMs, 0);
  }
  const integrity = apportion(
    100 - scores.integrity,
    types.map((type) => penaltyByType.get(type)!),
  );
  const focusTypes = types.filter((type) => unfocusedMs.has(type));
  const focus = apportion(
    100 - scores.focus,
    focusTypes.map((type) => unfocusedMs.get(type)!),
  );
  const focusOf = (type: ViolationType) => focus[focusTypes.indexOf(type)] ?? 0;
  const composite = apportion(
    100 - scores.composite,
    types.map((type, i) => SCORE_WEIGHTS.integrity * integrity[i]! + SCORE_WEIGHTS.focus * focusOf(type)),
  );
  const contributions: ScoreContribution[] = [];
  types.forEach((type, i) => {
    const { count, ms } = stats.get(type)!;
    const total = `${type} ×${count}, ${seconds(ms)} s total`;
    contributions.push({ dimension: 'INTEGRITY', type, count, seconds: round1(ms / 1000), points: integrity[i]!, sentence: `${total}: −${integrity[i]} integrity` });
    contributions.push({ dimension: 'COMPOSITE', type, count, seconds: round1(ms / 1000), points: composite[i]!, sentence: `${total}: −${composite[i]} composite` });
  });
  focusTypes.forEach((type, i) => {
    const share = unfocusedMs.get(type)!;
    const percent = (100 * share) / lengthMs;
    contributions.push({
      dimension: 'FOCUS',
      type,
      count: stats.get(type)!.count,
      seconds: round1(share / 1000),
      points: focus[i]!,
      sentence: `${type} ${percent < 10 ? percent.toFixed(1) : Math.round(percent)} % of the time (${seconds(share)} s): −${focus[i]} focus`,
    });
  });
  const order: ScoreDimension[] = ['INTEGRITY', 'FOCUS', 'COMPOSITE'];
  return contributions.sort((a, b) => order.indexOf(a.dimension) - order.indexOf(b.dimension) || b.points - a.points || a.type.localeCompare(b.type));
}

/** `target` whole points shared in proportion to `weights` (largest remainder): they add up to `target`. */
export function apportion(target: number, weights: number[]): number[] {
  const total = sum(weights);
  if (target <= 0 || total <= 0) return weights.map(() => 0);
  const quotas = weights.map((w) => (w * target) / total);
  const points = quotas.map(Math.floor);
  const byRemainder = quotas.map((q, i) => i).sort((a, b) => quotas[b]! - points[b]! - (quotas[a]! - points[a]!) || weights[b]! - weights[a]! || a - b);
  for (let left = target - sum(points), k = 0; left > 0; left--, k++) points[byRemainder[k % byRemainder.length]!]! += 1;
  return points;
}

function sum(values: number[]): number {
  return values.reduce((total, v) => total + v, 0);
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function seconds(ms: number): string {
  return ms < 10_000 ? round1(ms / 1000).toString() : String(Math.round(ms / 1000));
}

const FAMILIES: { label: [string, string]; types: ViolationType[] }[] = [
  { label: ['tab switch', 'tab switches'], types: ['TAB_SWITCH', 'WINDOW_BLUR'] },
  { label: ['face issue', 'face issues'], types: ['FACE_MISSING', 'MULTIPLE_FACES'] },
  { label: ['look away', 'looks away'], types: ['LOOKING_AWAY'] },
  {
    label: ['other flag', 'other flags'],
    types: [
      'AUDIO_DETECTED',
      'FULLSCREEN_EXIT',
      'RESIZE_ATTEMPT',
      'COPY_PASTE',
      'CONTEXT_MENU',
      'DEVTOOLS_OPEN',
      'HEARTBEAT_LOST',
      'MEDIA_LOST',
      'SCREEN_SHARE_STOPPED',
      'MULTIPLE_DISPLAYS',
    ],
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
