// Scoring, checked against figures worked out by hand from the formula in server/reports/scoring.ts.
import assert from 'node:assert/strict';
import type { Severity, ViolationType } from '../server/db/entities.ts';
import { score, type ScoredEvent } from '../server/reports/scoring.ts';

const START = new Date('2026-12-01T14:00:00Z');
const MINUTE = 60_000;
const at = (ms: number) => new Date(START.getTime() + ms);
const end = (minutes: number) => at(minutes * MINUTE);
const ev = (type: ViolationType, severity: Severity, atMs: number, durationMs: number): ScoredEvent => ({ type, severity, occurredAt: at(atMs), durationMs });

describe('scoring', () => {
  it('gives a clean 30-minute interview full marks', () => {
    assert.deepEqual(score({ startedAt: START, endedAt: end(30), events: [] }), {
      focus: 100,
      integrity: 100,
      composite: 100,
      summary: 'High integrity, good focus: no tab switches, no face issues.',
    });
  });

  it('does not sink a candidate for one brief tab switch', () => {
    // penalty = 8 × (1 + 1/30) = 8.2667 → integrity = 100·e^−0.082667 = 92.07 → 92
    // focus = 100 × (1 − 1 s / 1800 s) = 99.94 → 100; composite = 0.6·92 + 0.4·100 = 95.2 → 95
    const scores = score({ startedAt: START, endedAt: end(30), events: [ev('TAB_SWITCH', 'HIGH', 5 * MINUTE, 1000)] });
    assert.deepEqual(scores, { focus: 100, integrity: 92, composite: 95, summary: 'High integrity, good focus: one brief tab switch, no face issues.' });
  });

  it('sinks a candidate for repeated critical violations', () => {
    // each: 20 × (1 + 10/30) = 26.667; five → 133.33 → integrity = 100·e^−1.3333 = 26.36 → 26
    // focus: 50 s of 1800 s unfocused → 97.22 → 97; composite = 0.6·26 + 0.4·97 = 54.4 → 54
    const events = [1, 2, 3, 4, 5].map((m) => ev('FACE_MISSING', 'CRITICAL', m * MINUTE, 10_000));
    assert.deepEqual(score({ startedAt: START, endedAt: end(30), events }), {
      focus: 97,
      integrity: 26,
      composite: 54,
      summary: 'Low integrity, good focus: no tab switches, five face issues.',
    });
  });

  it('counts overlapping unfocused time once and clips it to the interview', () => {
    // 10 min interview. Looking away 60–180 s, tab switch 120–240 s (overlap): union 60–240 s = 180 s.
    // A face loss from 9.5 min lasting 2 min is clipped at 10 min: 30 s. Unfocused 210 s of 600 s → focus 65.
    // penalty: LOW×(1+min(120,60)/30)=3, HIGH×(1+60/30)=24, CRITICAL×(1+60/30)=60 → 87, × min(1, 30/10) = 87
    // integrity = 100·e^−0.87 = 41.90 → 42; composite = 0.6·42 + 0.4·65 = 51.2 → 51
    const events = [ev('LOOKING_AWAY', 'LOW', 60_000, 120_000), ev('TAB_SWITCH', 'HIGH', 120_000, 120_000), ev('FACE_MISSING', 'CRITICAL', 570_000, 120_000)];
    assert.deepEqual(score({ startedAt: START, endedAt: end(10), events }), {
      focus: 65,
      integrity: 42,
      composite: 51,
      summary: 'Low integrity, poor focus: one tab switch, one face issue, one look away.',
    });
  });

  it('reads violations as a density: the same slips cost less over a longer interview', () => {
    // two MEDIUM resizes of 0 s: 3 + 3 = 6 points; over 60 min × 30/60 = 3 → 100·e^−0.03 = 97.04 → 97
    const events = [ev('RESIZE_ATTEMPT', 'MEDIUM', MINUTE, 0), ev('RESIZE_ATTEMPT', 'MEDIUM', 2 * MINUTE, 0)];
    const long = score({ startedAt: START, endedAt: end(60), events });
    const short = score({ startedAt: START, endedAt: end(30), events });
    assert.equal(long.integrity, 97);
    assert.equal(short.integrity, 94); // 100·e^−0.06 = 94.18
    assert.equal(long.summary, 'High integrity, good focus: no tab switches, no face issues, two brief other flags.');
  });
});
