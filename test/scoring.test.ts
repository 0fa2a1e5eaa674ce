// Scoring, checked against figures worked out by hand from the formula in server/reports/scoring.ts.
import assert from 'node:assert/strict';
import type { Severity, ViolationType } from '../server/db/entities.ts';
import { apportion, score as scoreWithContributions, type ScoreDimension, type ScoredEvent, type ScoringInput } from '../server/reports/scoring.ts';
import { VIOLATION_TYPES, SEVERITIES } from '../server/db/entities.ts';

const START = new Date('2026-12-01T14:00:00Z');
const MINUTE = 60_000;
const at = (ms: number) => new Date(START.getTime() + ms);
const end = (minutes: number) => at(minutes * MINUTE);
/** The numbers alone (contributions are checked below). */
const score = (input: ScoringInput) => {
  const { contributions: _, accommodated: __, ...numbers } = scoreWithContributions(input);
  return numbers;
};
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

  it("leaves out what the candidate's accommodations covered, and says so", () => {
    const counted = [ev('TAB_SWITCH', 'HIGH', 5 * MINUTE, 1000)];
    const covered = [1, 2, 3, 4].map((m) => ({ ...ev('LOOKING_AWAY', 'LOW', m * MINUTE, 2500), accommodated: true }));
    const withCovered = scoreWithContributions({ startedAt: START, endedAt: end(30), events: [...covered, ...counted] });
    const without = scoreWithContributions({ startedAt: START, endedAt: end(30), events: counted });
    // The same scores, summary and explanation as if the covered events had not happened.
    assert.deepEqual({ ...withCovered, accommodated: [] }, without);
    assert.deepEqual(withCovered.accommodated, [{ type: 'LOOKING_AWAY', count: 4, seconds: 10, sentence: 'LOOKING_AWAY ×4 accommodated: not counted' }]);
    assert.ok(!withCovered.contributions.some((c) => c.type === 'LOOKING_AWAY'));
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

  describe('explanation', () => {
    it('names what each point was lost to, in whole points that add up to each deficit', () => {
      // The overlap case above: integrity 42 (deficit 58) from penalties LOOKING_AWAY 3, TAB_SWITCH 24,
      // FACE_MISSING 60 of 87 → 2.0, 16.0, 40.0; focus 65 (deficit 35) from 90, 90, 30 s of 210 s →
      // 15, 15, 5; composite 51 (deficit 49) from 0.6·I + 0.4·F = 7.2, 15.6, 26 of 48.8 → 7.23, 15.66, 26.11 → 7, 16, 26.
      const events = [ev('LOOKING_AWAY', 'LOW', 60_000, 120_000), ev('TAB_SWITCH', 'HIGH', 120_000, 120_000), ev('FACE_MISSING', 'CRITICAL', 570_000, 120_000)];
      const { contributions } = scoreWithContributions({ startedAt: START, endedAt: end(10), events });
      const line = (dimension: ScoreDimension) => contributions.filter((c) => c.dimension === dimension).map((c) => `${c.type} ${c.count} ${c.seconds} ${c.points}`);
      assert.deepEqual(line('INTEGRITY'), ['FACE_MISSING 1 120 40', 'TAB_SWITCH 1 120 16', 'LOOKING_AWAY 1 120 2']);
      assert.deepEqual(line('FOCUS'), ['LOOKING_AWAY 1 90 15', 'TAB_SWITCH 1 90 15', 'FACE_MISSING 1 30 5']);
      assert.deepEqual(line('COMPOSITE'), ['FACE_MISSING 1 120 26', 'TAB_SWITCH 1 120 16', 'LOOKING_AWAY 1 120 7']);
      assert.ok(contributions.some((c) => c.sentence === 'TAB_SWITCH ×1, 120 s total: −16 integrity'));
      assert.ok(contributions.some((c) => c.sentence === 'FACE_MISSING 5.0 % of the time (30 s): −5 focus'));
    });

    it('explains nothing when nothing was lost', () => {
      assert.deepEqual(scoreWithContributions({ startedAt: START, endedAt: end(30), events: [] }).contributions, []);
    });

    it('always adds up exactly to 100 − score, for random interviews', () => {
      let seed = 14;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)]!;
      for (let run = 0; run < 500; run++) {
        const minutes = 1 + Math.floor(random() * 90);
        const events = Array.from({ length: Math.floor(random() * 40) }, () =>
          ev(pick(VIOLATION_TYPES), pick(SEVERITIES), Math.floor(random() * (minutes + 2) * MINUTE) - MINUTE, Math.floor(random() * random() * 5 * MINUTE)),
        );
        const result = scoreWithContributions({ startedAt: START, endedAt: end(minutes), events });
        for (const [dimension, value] of [
          ['INTEGRITY', result.integrity],
          ['FOCUS', result.focus],
          ['COMPOSITE', result.composite],
        ] as const) {
          const points = result.contributions.filter((c) => c.dimension === dimension).reduce((total, c) => total + c.points, 0);
          assert.equal(points, 100 - value, `${dimension} in run ${run}: ${JSON.stringify(result.contributions)}`);
        }
        assert.ok(result.contributions.every((c) => Number.isInteger(c.points) && c.points >= 0));
      }
    });

    it('apportions whole points by largest remainder', () => {
      assert.deepEqual(apportion(10, [1, 1, 1]), [4, 3, 3]);
      assert.deepEqual(apportion(0, [5, 2]), [0, 0]);
      assert.deepEqual(apportion(7, [0, 3.5]), [0, 7]);
    });
  });
});
