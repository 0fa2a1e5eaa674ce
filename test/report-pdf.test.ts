// The PDF renderer on its own, from a plain ReportInput: every section present or "None
// recorded", checked with poppler (pdftotext, pdfinfo, pdftoppm); and the violation-log digest.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEVERITIES, type ViolationType } from '../server/db/entities.ts';
import { MAX_THUMBNAILS, renderReportPdf } from '../server/reports/pdf.ts';
import { buildReportInput, canonicalViolationLog, type ReportSource } from '../server/reports/report-input.ts';
import { pdfPages, pdfText, renderedPages } from './support/pdf.ts';
import { makeJpegs } from './support/snapshots.ts';

const START = new Date('2026-11-24T10:00:00Z');
const at = (ms: number) => new Date(START.getTime() + ms);

/** The fixture cycles through these (the timeline expectations below are laid out on this cycle). */
const FIXTURE_TYPES: ViolationType[] = [
  'TAB_SWITCH',
  'WINDOW_BLUR',
  'FACE_MISSING',
  'MULTIPLE_FACES',
  'LOOKING_AWAY',
  'AUDIO_DETECTED',
  'FULLSCREEN_EXIT',
  'RESIZE_ATTEMPT',
  'COPY_PASTE',
  'CONTEXT_MENU',
  'DEVTOOLS_OPEN',
  'HEARTBEAT_LOST',
  'MEDIA_LOST',
];

function source(violationCount: number, media: ReportSource['media'] = {}): ReportSource {
  const violations = Array.from({ length: violationCount }, (_, i) => ({
    id: randomUUID(),
    type: FIXTURE_TYPES[i % FIXTURE_TYPES.length]!,
    severity: SEVERITIES[i % SEVERITIES.length]!,
    at: at(60_000 + i * 1_700),
    count: 1 + (i % 3),
    durationMs: (i % 5) * 1_000,
  }));
  return {
    reportId: randomUUID(),
    interview: { id: randomUUID(), title: 'Platform engineer', startedAt: START, endedAt: at(60 * 60_000) },
    candidate: { id: randomUUID(), name: 'Grace Hopper', email: 'grace@example.com' },
    events: violations.map((v) => ({ type: v.type, severity: v.severity, occurredAt: v.at, durationMs: v.durationMs })),
    violations,
    media,
  };
}

describe('report PDF', () => {
  it('renders a clean interview with every optional section marked "None recorded"', async () => {
    const input = buildReportInput(source(0));
    const pdf = await renderReportPdf(input);
    const text = await pdfText(pdf);
    for (const expected of [
      'Grace Hopper',
      'Platform engineer',
      input.interview.id,
      input.candidate.id,
      input.reportId,
      input.violationLogSha256,
      'High integrity, good focus',
    ]) {
      assert.ok(text.includes(expected), `lacks ${expected}`);
    }
    assert.match(text, /no violation was raised/);
    assert.match(text, /Evidence\s+None recorded/);
    assert.match(text, /Stream quality\s+None recorded/);
    assert.match(text, /Recording\s+None recorded/);
    assert.equal(await pdfPages(pdf), 1);
    assert.equal(await renderedPages(pdf), 1);
    // The digest of an empty log is the SHA-256 of the empty string.
    assert.equal(input.violationLogSha256, createHash('sha256').update('').digest('hex'));
  });

  it('renders a long interview with evidence, stream quality and recordings on several pages', async () => {
    const dir = join(tmpdir(), `proctor-jpegs-${randomUUID()}`);
    try {
      const jpegs = await Promise.all((await makeJpegs(dir, MAX_THUMBNAILS + 2)).map((f) => readFile(f)));
      const input = buildReportInput(
        source(300, {
          evidence: jpegs.map((jpeg, i) => ({ takenAt: at(i * 30_000), type: 'FACE_MISSING' as const, violationId: null, jpeg })),
          streamQuality: [{ kind: 'video', samples: 1800, avgBitrateKbps: 812, avgPacketLossPct: 0.4, avgJitterMs: 12, avgRttMs: 38, minScore: 7 }],
          recordings: [{ path: 'recordings/i/c-1.webm', startedAt: START, bytes: 52_428_800 }],
        }),
      );
      const pdf = await renderReportPdf(input);
      const text = await pdfText(pdf);
      assert.match(text, new RegExp(`Showing ${MAX_THUMBNAILS} of ${MAX_THUMBNAILS + 2} snapshots`));
      assert.match(text, /812 kbps/);
      assert.match(text, /recordings\/i\/c-1\.webm/);
      assert.match(text, /50\.0 MB/);
      // Every page carries the digest in its footer.
      const pages = await pdfPages(pdf);
      assert.ok(pages > 3, `pages: ${pages}`);
      assert.equal(text.split(`Violation log SHA-256: ${input.violationLogSha256}`).length - 1, pages);
      assert.equal(await renderedPages(pdf), pages);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("names the candidate's accommodations, the note and what they covered; covered rows are marked and digested as such", async () => {
    const base = source(0);
    const covered = { id: randomUUID(), type: 'LOOKING_AWAY' as const, severity: 'LOW' as const, at: at(60_000), count: 4, durationMs: 8_000, accommodated: true };
    const counted = { id: randomUUID(), type: 'TAB_SWITCH' as const, severity: 'HIGH' as const, at: at(120_000), count: 1, durationMs: 1_000 };
    const input = buildReportInput({
      ...base,
      violations: [covered, counted],
      events: [
        ...[0, 1, 2, 3].map((i) => ({ type: covered.type, severity: covered.severity, occurredAt: at(60_000 + i * 2_000), durationMs: 2_000, accommodated: true })),
        { type: counted.type, severity: counted.severity, occurredAt: counted.at, durationMs: counted.durationMs },
      ],
      accommodations: { ignore: ['LOOKING_AWAY'], lookAwayDegrees: 45, allowAudio: true, note: 'Uses a head pointer' },
    });
    const text = await pdfText(await renderReportPdf(input));
    assert.match(text, /Accommodations/);
    assert.match(text, /Looking away from the screen is recorded but not counted \(LOOKING_AWAY\)/);
    assert.match(text, /Looking away counts only beyond 45°/);
    assert.match(text, /Speaking aloud is allowed: the microphone is not checked for voice activity/);
    assert.match(text, /Note: Uses a head pointer/);
    assert.match(text, /Covered: LOOKING_AWAY ×4 accommodated: not counted\./);
    assert.match(text, /Looking away\s+Accommodated/, 'the covered row says so instead of a severity');
    assert.ok(!input.scores.contributions.some((c) => c.type === 'LOOKING_AWAY'), 'and it costs no point');
    assert.match(canonicalViolationLog(input.violations), /"LOOKING_AWAY","LOW","[^"]+",4,8000,"ACCOMMODATED"\]/);
  });

  it('builds the timeline rows and a canonical, order-independent violation log', () => {
    const input = buildReportInput(source(26));
    assert.deepEqual(
      input.timeline.map((row) => row.category),
      ['FACE_MISSING', 'MULTIPLE_FACES', 'LOOKING_AWAY', 'TAB_SWITCH', 'AUDIO', 'MEDIA_LOST'],
    );
    const tabRow = input.timeline.find((row) => row.category === 'TAB_SWITCH')!;
    // TAB_SWITCH and WINDOW_BLUR share the row: at 60.0 s (instant), 61.7 s (1 s) and, merged
    // because they overlap, 82.1 s (3 s) with 83.8 s (4 s).
    assert.deepEqual(tabRow.bars, [
      { startMs: 60_000, durationMs: 0 },
      { startMs: 61_700, durationMs: 1_000 },
      { startMs: 82_100, durationMs: 5_700 },
    ]);
    const shuffled = [...input.violations].reverse();
    assert.equal(canonicalViolationLog(shuffled), canonicalViolationLog(input.violations));
    assert.equal(canonicalViolationLog(input.violations).split('\n').length - 1, 26);
  });
});
