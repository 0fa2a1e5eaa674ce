// The report as a PDF, rendered with pdfmake from a ReportInput alone. Black, white and greys
// only (severity is spelled out, never colour-coded), standard PDF fonts (nothing embedded), and
// vector drawings: score rings and the timeline are SVG.
import pdfmake from 'pdfmake';
import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import type { ViolationType } from '../db/entities.ts';
import { snapshotImageProblem } from '../live/snapshot-image.ts';
import type { CandidateStatement, EvidenceSnapshot, ReportInput, TimelineRow } from './report-input.ts';
import type { ScoreContribution, ScoreDimension, Scores } from './scoring.ts';
import { conversationFigures, questionsAndAnswers, type QuotedTurn } from '../speech/conversation.ts';
import { NO_AUDIO_NOTE, type SpeechSection } from '../speech/speech.ts';

/** A row of the Gantt chart: a proctoring signal, or who was speaking. */
type ChartRow = Pick<TimelineRow, 'label' | 'bars' | 'totalMs'>;
import { describeAccommodations } from '../../contract/accommodations.ts';

const FONT = 'Helvetica';
pdfmake.setFonts({ [FONT]: { normal: 'Helvetica', bold: 'Helvetica-Bold', italics: 'Helvetica-Oblique', bolditalics: 'Helvetica-BoldOblique' } });
// Everything a report shows is passed in as data: no URL or file is ever fetched while rendering
// (the standard fonts are the only "files" pdfmake asks for).
pdfmake.setUrlAccessPolicy(() => false);
pdfmake.setLocalAccessPolicy((path) => /^Helvetica(-\w+)?$/.test(path));

const PAGE_WIDTH = 595.28; // A4
const MARGIN = 40;
const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN;
/** More thumbnails than this would swell the file without helping a reader; the API lists them all. */
export const MAX_THUMBNAILS = 48;

const TYPE_LABELS: Record<ViolationType, string> = {
  TAB_SWITCH: 'Tab switch',
  WINDOW_BLUR: 'Window blur',
  FACE_MISSING: 'Face missing',
  MULTIPLE_FACES: 'Multiple faces',
  LOOKING_AWAY: 'Looking away',
  AUDIO_DETECTED: 'Audio detected',
  FULLSCREEN_EXIT: 'Fullscreen exit',
  RESIZE_ATTEMPT: 'Window resized',
  COPY_PASTE: 'Copy / paste',
  CONTEXT_MENU: 'Context menu',
  DEVTOOLS_OPEN: 'Developer tools',
  HEARTBEAT_LOST: 'Heartbeat lost',
  MEDIA_LOST: 'Media lost',
  SCREEN_SHARE_STOPPED: 'Screen share stopped',
  MULTIPLE_DISPLAYS: 'Multiple displays',
};

export async function renderReportPdf(input: ReportInput): Promise<Buffer> {
  return await pdfmake.createPdf(reportDocument(input)).getBuffer();
}

export function reportDocument(input: ReportInput): TDocumentDefinitions {
  const { interview, candidate } = input;
  return {
    pageSize: 'A4',
    pageMargins: [MARGIN, MARGIN, MARGIN, 50],
    info: { title: `Proctor report — ${candidate.name} — ${interview.title}`, author: 'Proctor', subject: `Interview ${interview.id}` },
    defaultStyle: { font: FONT, fontSize: 9, color: '#000000' },
    styles: {
      title: { fontSize: 18, bold: true },
      h2: { fontSize: 12, bold: true, margin: [0, 14, 0, 6] },
      label: { color: '#444444' },
      small: { fontSize: 7, color: '#444444' },
      th: { bold: true },
    },
    // A section title low on a page starts the next one instead of sitting there alone.
    pageBreakBefore: (node) => node.headlineLevel === 1 && node.startPosition.verticalRatio > 0.85,
    footer: (page, pages) => ({
      margin: [MARGIN, 14, MARGIN, 0],
      columns: [
        { text: `Violation log SHA-256: ${input.violationLogSha256}`, style: 'small' },
        { text: `Page ${page} of ${pages}`, style: 'small', alignment: 'right', width: 60 },
      ],
    }),
    content: [
      header(input),
      section('Summary'),
      { text: input.scores.summary, fontSize: 11 },
      ...(input.aiSummary ? [{ text: input.aiSummary, italics: true, margin: [0, 4, 0, 0] } as Content] : []),
      scoreCards(input),
      ...(input.accommodations ? [section('Accommodations'), accommodations(input)] : []),
      ...(input.review ? [section('Review'), review(input)] : []),
      ...(input.review?.statement ? [section("Candidate's statement"), statement(input.review.statement)] : []),
      // A clean interview lost no point: nothing to explain.
      ...(lostPoints(input.scores) ? [section('Score explanation'), explanation(input)] : []),
      section('Timeline'),
      timeline(input),
      ...(input.media.speech ? [section('Conversation'), conversation(input.media.speech), section('Questions and answers'), questionsAndAnswersList(input.media.speech)] : []),
      section('Violations'),
      violationTable(input),
      section('Evidence'),
      evidence(input.media.evidence, input.interview.startedAt),
      section('Stream quality'),
      streamQuality(input),
      section('Recording'),
      recordings(input),
    ],
  };
}

function section(title: string): Content {
  return { text: title, style: 'h2', headlineLevel: 1 };
}

function header({ interview, candidate, reportId, generatedAt, review }: ReportInput): Content {
  const row = (label: string, value: string): Content[] => [{ text: label, style: 'label' }, { text: value }];
  return [
    { text: 'Interview integrity report', style: 'title' },
    { text: interview.title, fontSize: 12, margin: [0, 2, 0, 8] },
    {
      layout: 'noBorders',
      table: {
        widths: [90, '*'],
        body: [
          row('Candidate', `${candidate.name} <${candidate.email}>`),
          row('Interview', interview.title),
          row('Date', `${dateTime(interview.startedAt)} – ${clock(interview.endedAt)} UTC (${minutes(interview.endedAt.getTime() - interview.startedAt.getTime())})`),
          row('Interview ID', interview.id),
          row('Candidate ID', candidate.id),
          row('Report ID', reportId),
          row('Generated', `${dateTime(generatedAt)} UTC`),
          row('Review', review ? `${review.decision} (see Review)` : 'Not reviewed yet: automatic scores, every flag counts'),
        ],
      },
    },
  ];
}

function scoreCards({ scores }: ReportInput): Content {
  const card = (label: string, value: number, note: string): Content => ({
    stack: [
      { svg: ring(value), width: 90, alignment: 'center' },
      { text: label, bold: true, alignment: 'center', margin: [0, 4, 0, 0] },
      { text: note, style: 'small', alignment: 'center' },
    ],
  });
  return {
    margin: [0, 12, 0, 0],
    columns: [
      card('Composite', scores.composite, '0.6 × integrity + 0.4 × focus'),
      card('Integrity', scores.integrity, 'violation density by severity'),
      card('Focus', scores.focus, 'share of time attentive'),
    ],
  };
}

/** A circular progress ring: a grey track and a black arc for the share, the number inside. */
export function ring(value: number): string {
  const r = 40;
  const share = Math.max(0, Math.min(100, value)) / 100;
  const angle = share * 2 * Math.PI;
  const x = 50 + r * Math.sin(angle);
  const y = 50 - r * Math.cos(angle);
  const arc =
    share >= 0.9999
      ? `<circle cx="50" cy="50" r="${r}" fill="none" stroke="#000" stroke-width="9"/>`
      : share <= 0
        ? ''
        : `<path d="M50 10 A${r} ${r} 0 ${share > 0.5 ? 1 : 0} 1 ${x.toFixed(2)} ${y.toFixed(2)}" fill="none" stroke="#000" stroke-width="9"/>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" viewBox="0 0 100 100">` +
    `<circle cx="50" cy="50" r="${r}" fill="none" stroke="#d0d0d0" stroke-width="9"/>${arc}` +
    `<text x="50" y="58" text-anchor="middle" font-size="24" font-weight="bold" font-family="Helvetica">${Math.round(value)}</text></svg>`
  );
}

const LABEL_WIDTH = 85;
const ROW_HEIGHT = 16;

/** The Gantt chart: one row per kind of signal, x = interview time, bars = how long it lasted. */
/** The Gantt's rows: the proctoring signals, then who spoke when (when speech was analysed). */
function timeline({ timeline: signals, interview, media }: ReportInput): Content {
  const speaking = media.speech?.speaking ?? [];
  const speakingRow = (speaker: 'CANDIDATE' | 'HOST', label: string): ChartRow => {
    const bars = speaking.filter((s) => s.speaker === speaker).map((s) => ({ startMs: s.startMs, durationMs: s.endMs - s.startMs }));
    return { label, bars, totalMs: bars.reduce((sum, bar) => sum + bar.durationMs, 0) };
  };
  const rows: ChartRow[] = media.speech ? [...signals, speakingRow('CANDIDATE', 'Candidate speaking'), speakingRow('HOST', 'Host speaking')] : signals;
  const lengthMs = Math.max(1, interview.endedAt.getTime() - interview.startedAt.getTime());
  const chartWidth = CONTENT_WIDTH - LABEL_WIDTH - 40;
  const height = rows.length * ROW_HEIGHT + 22;
  const x = (ms: number) => LABEL_WIDTH + (ms / lengthMs) * chartWidth;
  const parts: string[] = [];
  rows.forEach((row, index) => {
    const top = index * ROW_HEIGHT;
    if (index % 2 === 0) parts.push(`<rect x="${LABEL_WIDTH}" y="${top}" width="${chartWidth}" height="${ROW_HEIGHT}" fill="#f0f0f0"/>`);
    parts.push(`<text x="0" y="${top + 11}" font-size="8" font-family="Helvetica">${row.label}</text>`);
    parts.push(...bars(row, top, x));
    parts.push(`<text x="${LABEL_WIDTH + chartWidth + 4}" y="${top + 11}" font-size="7" font-family="Helvetica">${duration(row.totalMs)}</text>`);
  });
  const axisY = rows.length * ROW_HEIGHT;
  parts.push(`<line x1="${LABEL_WIDTH}" y1="${axisY}" x2="${LABEL_WIDTH + chartWidth}" y2="${axisY}" stroke="#000" stroke-width="0.6"/>`);
  const step = tickStep(lengthMs);
  for (let ms = 0; ms <= lengthMs; ms += step) {
    parts.push(`<line x1="${x(ms).toFixed(1)}" y1="${axisY}" x2="${x(ms).toFixed(1)}" y2="${axisY + 3}" stroke="#000" stroke-width="0.6"/>`);
    parts.push(`<text x="${x(ms).toFixed(1)}" y="${axisY + 12}" font-size="7" text-anchor="middle" font-family="Helvetica">${Math.round(ms / 60_000)}m</text>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${CONTENT_WIDTH}" height="${height}" viewBox="0 0 ${CONTENT_WIDTH} ${height}">${parts.join('')}</svg>`;
  return {
    stack: [
      { svg, width: CONTENT_WIDTH },
      {
        text: 'x = minutes since the interview started; bars = how long each signal lasted (minimum width for instants); right: total time.',
        style: 'small',
        margin: [0, 2, 0, 0],
      },
    ],
  };
}

/** Bars in chart units, merged where they would touch on paper so thousands of events stay light. */
function bars(row: ChartRow, top: number, x: (ms: number) => number): string[] {
  const out: string[] = [];
  let current: [number, number] | undefined;
  const flush = () =>
    current && out.push(`<rect x="${current[0].toFixed(2)}" y="${top + 3}" width="${(current[1] - current[0]).toFixed(2)}" height="${ROW_HEIGHT - 6}" fill="#000"/>`);
  for (const bar of row.bars) {
    const from = x(bar.startMs);
    const to = Math.max(x(bar.startMs + bar.durationMs), from + 1.2);
    if (current && from <= current[1] + 0.3) current[1] = Math.max(current[1], to);
    else {
      flush();
      current = [from, to];
    }
  }
  flush();
  return out;
}

/** Talk share, response latency and overlaps, from the speaking segments. */
function conversation({ speaking, transcript }: SpeechSection): Content {
  if (speaking.length === 0) {
    if (transcript.status === 'FAILED') return { text: `Not analysed: ${transcript.note ?? 'unknown error'}.` };
    return { text: transcript.note === NO_AUDIO_NOTE ? 'No recorded audio.' : 'No speech found in the recorded audio.' };
  }
  const figures = conversationFigures(speaking);
  const share = figures.candidateTalkShare;
  const row = (label: string, value: string): Content[] => [{ text: label, style: 'label' }, { text: value }];
  return {
    stack: [
      {
        layout: 'noBorders',
        table: {
          widths: [150, '*'],
          body: [
            row('Candidate speaking', duration(figures.candidateSpeakingMs)),
            row('Host speaking', duration(figures.hostSpeakingMs)),
            row('Talk ratio (candidate : host)', share === null ? '—' : `${Math.round(share * 100)} : ${Math.round((1 - share) * 100)}`),
            row(
              'Response latency',
              figures.responseLatencyP50Ms === null
                ? '—'
                : `p50 ${seconds(figures.responseLatencyP50Ms)}, p90 ${seconds(figures.responseLatencyP90Ms!)} over ${figures.responses} answers (from the host stopping to the candidate starting)`,
            ),
            row('Overlaps', figures.overlaps === 0 ? 'none' : `${figures.overlaps} (${duration(figures.overlapMs)} in all)`),
          ],
        },
      },
      { text: "Measured by voice activity detection on each participant's audio track.", style: 'small', margin: [0, 2, 0, 0] },
      // What the analysis left out (a track without audio); a failed transcription says so in its own section.
      ...(transcript.status !== 'FAILED' && transcript.note ? [{ text: `Note: ${transcript.note}.`, style: 'small' } as Content] : []),
    ],
  };
}

/** Up to five host questions and the candidate's answers, from confident transcript turns only. */
function questionsAndAnswersList({ transcript, minConfidence }: SpeechSection): Content {
  if (transcript.status === 'PENDING' || transcript.status === 'RUNNING') {
    return { text: 'Transcript in progress: a later version of this report adds the questions and answers once the transcription is done.' };
  }
  if (transcript.status === 'FAILED') return { text: `Not transcribed: ${transcript.note ?? 'unknown error'}.` };
  if (!transcript.engine) return { text: 'Not transcribed (transcription is off on this server).' };
  const pairs = questionsAndAnswers(transcript.segments, minConfidence);
  const label = `Transcript by ${transcript.engine}: approximate, machine-generated; not a quotation. Only turns with confidence of at least ${minConfidence} are shown.`;
  if (pairs.length === 0) return { stack: [{ text: 'No question and answer was transcribed with enough confidence.' }, { text: label, style: 'small', margin: [0, 2, 0, 0] }] };
  const turn = (who: string, t: QuotedTurn): Content => ({ text: [{ text: `${elapsed(t.startMs)}  ${who}: `, bold: true }, pdfText(t.text)], margin: [0, 0, 0, 2] });
  return {
    stack: [
      ...pairs.map(({ question, answer }): Content => ({ stack: [turn('Host', question), turn('Candidate', answer)], margin: [0, 0, 0, 6] })),
      { text: label, style: 'small', margin: [0, 2, 0, 0] },
    ],
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function tickStep(lengthMs: number): number {
  const minutesLong = lengthMs / 60_000;
  const step = [1, 2, 5, 10, 15, 30, 60, 120].find((m) => minutesLong / m <= 12) ?? 240;
  return step * 60_000;
}

/** The decision, the reviewed scores beside the automatic ones, and the dismissed flags. */
function review({ review, scores, reviewedScores, violations, interview }: ReportInput): Content {
  if (!review || !reviewedScores) return [];
  const dismissed = violations.filter((v) => v.verdict === 'DISMISSED');
  const confirmed = violations.filter((v) => v.verdict === 'CONFIRMED').length;
  const row = (label: string, key: keyof Omit<Scores, 'summary' | 'contributions' | 'accommodated'>): Content[] => [
    label,
    { text: String(scores[key]), alignment: 'right' },
    { text: String(reviewedScores[key]), alignment: 'right', bold: true },
  ];
  const start = interview.startedAt.getTime();
  return [
    { text: [{ text: `Decision: ${review.decision}`, bold: true }, ` — by ${review.reviewer.name}, ${dateTime(review.at)} UTC`], fontSize: 11 },
    ...(review.note ? [{ text: `Note: ${pdfText(review.note)}`, margin: [0, 2, 0, 0] } as Content] : []),
    {
      margin: [0, 6, 0, 6],
      layout: 'lightHorizontalLines',
      table: {
        headerRows: 1,
        widths: [90, 70, 70],
        body: [
          [
            { text: 'Score', style: 'th' },
            { text: 'Automatic', style: 'th', alignment: 'right' },
            { text: 'Reviewed', style: 'th', alignment: 'right' },
          ],
          row('Composite', 'composite'),
          row('Integrity', 'integrity'),
          row('Focus', 'focus'),
        ],
      },
    },
    { text: `${confirmed} flag${confirmed === 1 ? '' : 's'} confirmed, ${dismissed.length} dismissed (dismissed flags do not count in the reviewed scores).` },
    ...(dismissed.length > 0
      ? [{ ul: dismissed.map((v) => `Dismissed: ${TYPE_LABELS[v.type]} at ${elapsed(v.at.getTime() - start)} (${v.severity}, ${v.count}×)`), margin: [0, 4, 0, 0] } as Content]
      : []),
  ];
}

/** The candidate's own words on the review, as written (pdfmake prints text, never markup). */
function statement({ text, submittedAt }: CandidateStatement): Content {
  const printable = standardFontText(text);
  return [
    { text: `Written by the candidate after the review, ${dateTime(submittedAt)} UTC:`, style: 'label', margin: [0, 0, 0, 4] },
    { text: printable, preserveLeadingSpaces: true },
    ...(printable === text
      ? []
      : [
          {
            text: 'Characters the report font cannot print are shown as "?"; the API (review.statement) has the statement exactly as written.',
            style: 'small',
            margin: [0, 4, 0, 0],
          } as Content,
        ]),
  ];
}

// The standard PDF fonts print Windows-1252 only: anything else (other scripts, emoji, control
// characters, bidirectional overrides) would come out as garbage, so it is replaced by "?".
const WIN_ANSI_EXTRA = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
function standardFontText(text: string): string {
  return [...text].map((char) => (/[\n\t\x20-\x7e\xa0-\xff]/.test(char) || WIN_ANSI_EXTRA.includes(char) ? char : '?')).join('');
}

const DIMENSIONS: { dimension: ScoreDimension; label: string }[] = [
  { dimension: 'INTEGRITY', label: 'Integrity' },
  { dimension: 'FOCUS', label: 'Focus' },
  { dimension: 'COMPOSITE', label: 'Composite' },
];

/** What the candidate was accommodated, why, and what it covered (left out of every score). */
function accommodations({ accommodations, scores }: ReportInput): Content {
  if (!accommodations) return [];
  const covered = scores.accommodated.map((count) => pdfText(count.sentence));
  return [
    { ul: describeAccommodations(accommodations), margin: [0, 0, 0, 3] },
    ...(accommodations.note ? [{ text: `Note: ${pdfText(accommodations.note)}`, margin: [0, 0, 0, 3] } as Content] : []),
    { text: covered.length ? `Covered: ${covered.join('; ')}.` : 'Nothing was covered by them in this interview.' },
  ];
}

/** Every point each score lost, and to what (the reviewed scores' too, when there are any). */
function explanation({ scores, reviewedScores }: ReportInput): Content {
  const lines = (title: string, of: Scores): Content[] => [
    { text: title, bold: true, margin: [0, 4, 0, 2] },
    ...DIMENSIONS.map(({ dimension, label }) => {
      const lost = of.contributions.filter((c: ScoreContribution) => c.dimension === dimension && c.points > 0);
      const value = dimension === 'INTEGRITY' ? of.integrity : dimension === 'FOCUS' ? of.focus : of.composite;
      return {
        stack: [
          { text: `${label} ${value}: ${lost.length === 0 ? 'no point lost' : `${100 - value} point${100 - value === 1 ? '' : 's'} lost`}` },
          ...(lost.length > 0 ? [{ ul: lost.map((c) => pdfText(c.sentence)), margin: [8, 1, 0, 3] } as Content] : []),
        ],
      };
    }),
  ];
  return [
    ...lines('Automatic scores', scores),
    ...(reviewedScores ? lines('Reviewed scores (dismissed flags left out)', reviewedScores) : []),
    { text: 'Points are shared among the violation types in proportion to what each cost before rounding (README: Scoring).', style: 'small', margin: [0, 2, 0, 0] },
  ];
}

function lostPoints(scores: Scores): boolean {
  return scores.composite < 100 || scores.integrity < 100 || scores.focus < 100;
}

function violationTable({ violations, counts, interview }: ReportInput): Content {
  if (violations.length === 0) return { text: 'None recorded: no violation was raised during this interview.' };
  const start = interview.startedAt.getTime();
  const totals = counts.map((c) => `${TYPE_LABELS[c.type]} ${c.count}`).join(' · ');
  return [
    { text: `Events by type: ${totals}`, margin: [0, 0, 0, 6] },
    {
      layout: 'lightHorizontalLines',
      table: {
        headerRows: 1,
        widths: [48, 50, '*', 70, 50, 35, 55],
        body: [
          ['Time', 'Elapsed', 'Type', 'Severity', 'Duration', 'Count', 'Review'].map((text) => ({ text, style: 'th' })),
          ...violations.map((v) => [
            clock(v.at),
            elapsed(v.at.getTime() - start),
            TYPE_LABELS[v.type],
            v.accommodated ? 'Accommodated' : { text: v.severity, bold: v.severity === 'CRITICAL' || v.severity === 'HIGH' },
            duration(v.durationMs),
            { text: String(v.count), alignment: 'right' as const },
            v.verdict === 'DISMISSED' ? 'Dismissed' : v.verdict === 'CONFIRMED' ? 'Confirmed' : '—',
          ]),
        ],
      },
    },
  ];
}

/** The standard fonts have no U+2212 minus sign: a hyphen-minus prints instead. */
function pdfText(text: string): string {
  return text.replaceAll('\u2212', '-');
}

function evidence(snapshots: EvidenceSnapshot[] | undefined, startedAt: Date): Content {
  if (!snapshots?.length) return { text: 'None recorded.' };
  const shown = snapshots.slice(0, MAX_THUMBNAILS);
  const cells: Content[] = shown.map((s) => ({
    stack: [
      // A bad image would fail the whole document: it becomes a notice in its place instead.
      snapshotImageProblem(s.jpeg)
        ? { text: 'Snapshot could not be rendered (the stored file is not a valid JPEG).', style: 'small', margin: [0, 0, 0, 2] }
        : { image: `data:image/jpeg;base64,${Buffer.from(s.jpeg).toString('base64')}`, fit: [120, 80] },
      { text: `${elapsed(s.takenAt.getTime() - startedAt.getTime())} ${s.type ? TYPE_LABELS[s.type] : ''}`, style: 'small', margin: [0, 1, 0, 6] },
    ],
  }));
  const rows: Content[][] = [];
  for (let i = 0; i < cells.length; i += 4) rows.push([...cells.slice(i, i + 4), ...Array.from({ length: Math.max(0, i + 4 - cells.length) }, (): Content => ({ text: '' }))]);
  return [
    ...(snapshots.length > shown.length
      ? [{ text: `Showing ${shown.length} of ${snapshots.length} snapshots (the first by time).`, style: 'small', margin: [0, 0, 0, 4] } as Content]
      : []),
    { layout: 'noBorders', table: { widths: ['*', '*', '*', '*'], body: rows, dontBreakRows: true } },
  ];
}

function streamQuality({ media }: ReportInput): Content {
  if (!media.streamQuality?.length) return { text: 'None recorded.' };
  return {
    layout: 'lightHorizontalLines',
    table: {
      headerRows: 1,
      widths: ['*', 45, 65, 60, 50, 45, 55],
      body: [
        ['Stream', 'Samples', 'Bitrate', 'Packet loss', 'Jitter', 'RTT', 'Min score'].map((text) => ({ text, style: 'th' })),
        ...media.streamQuality.map((q) => [
          q.kind,
          String(q.samples),
          `${q.avgBitrateKbps.toFixed(0)} kbps`,
          `${q.avgPacketLossPct.toFixed(1)} %`,
          `${q.avgJitterMs.toFixed(0)} ms`,
          `${q.avgRttMs.toFixed(0)} ms`,
          `${q.minScore} / 10`,
        ]),
      ],
    },
  };
}

function recordings({ media }: ReportInput): Content {
  if (!media.recordings?.length) return { text: 'None recorded.' };
  return {
    ul: media.recordings.map((r) => `${r.path} — started ${dateTime(r.startedAt)} UTC, ${(r.bytes / 1024 / 1024).toFixed(1)} MB`),
  };
}

function dateTime(date: Date): string {
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/:\d\d\.\d+Z$/, '');
}

function clock(date: Date): string {
  return date.toISOString().slice(11, 19);
}

function elapsed(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h > 0 ? `${h}:` : ''}${String(m).padStart(h > 0 ? 2 : 1, '0')}:${String(s).padStart(2, '0')}`;
}

function duration(ms: number): string {
  if (ms <= 0) return '—';
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function minutes(ms: number): string {
  return `${Math.round(ms / 60_000)} min`;
}
