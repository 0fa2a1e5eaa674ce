import { readFile, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { buildReportInput } from '../server/reports/report-input.ts';
import { renderReportPdf } from '../server/reports/pdf.ts';
import { makeJpegs } from '../test/support/snapshots.ts';
import { VIOLATION_TYPES, SEVERITIES } from '../server/db/entities.ts';
const start = new Date('2026-11-24T10:00:00Z');
const end = new Date(start.getTime() + 60 * 60_000);
const violations = Array.from({ length: 2000 }, (_, i) => ({ id: randomUUID(), type: VIOLATION_TYPES[i % VIOLATION_TYPES.length]!, severity: SEVERITIES[i % 4]!, at: new Date(start.getTime() + i * 1800), count: 1 + (i % 3), durationMs: (i % 7) * 1000 }));
const events = violations.map((v) => ({ type: v.type, severity: v.severity, occurredAt: v.at, durationMs: v.durationMs }));
const files = await makeJpegs('/tmp/rp/jpegs', 200);
const evidence = await Promise.all(files.map(async (f, i) => ({ takenAt: violations[i * 10]!.at, type: violations[i * 10]!.type, violationId: violations[i * 10]!.id, jpeg: await readFile(f) })));
const input = buildReportInput({ reportId: randomUUID(), interview: { id: randomUUID(), title: 'Senior backend engineer', startedAt: start, endedAt: end }, candidate: { id: randomUUID(), name: 'Ada Lovelace', email: 'ada@example.com' }, events, violations, media: { evidence, recordings: [{ path: 'recordings/x/y-1.webm', startedAt: start, bytes: 123456789 }] } });
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const pdf = await renderReportPdf(input);
  console.log('bytes', pdf.length, 'ms', (performance.now() - t0).toFixed(0));
  await writeFile('/tmp/rp/big.pdf', pdf);
}
