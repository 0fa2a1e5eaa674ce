// The whole media path, end to end (issue 15): the real candidate page and host room in two
// headless Chromium processes, each with a fake camera and a fake microphone that plays a WAV
// espeak-ng spoke for this test (the host in one voice, the candidate in another), through the real
// SFU and ffmpeg into recorded tracks, then the composite MP4 (ffprobe), the speech analysis of the
// report job (speaking segments against the known turns, the transcript) and the PDF (pdftotext).
//
// Why two browsers: --use-file-for-fake-audio-capture applies to a whole Chromium process. Each
// WAV holds one speaker's turns, with silence where the other speaks (synthetic-interview.ts).
//
// Where the known turns fall: the speech job stores its segments on the interview clock (ms after
// the interview's startedAt, as the report's chart), not on the recording's (whose t = 0 is the
// first track): the microphone tracks are moved onto it by recording.startedAt − interview.startedAt.
// Chromium's fake microphone plays its file from position 0 when the capture starts, that is when
// getUserMedia resolves (the candidate's at the device check, long before its track is published),
// and loops it. An init script notes that moment in each page (Date.now(): browser and server share
// this machine's clock), so turn k of repetition r is at capture − interview start + r × file
// length + turn.startMs. Turns the track cut at its start or end are left out on both sides.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { joinAsCandidate, liveInterview, type InterviewFixture } from './support/candidate-page.ts';
import { ensureClientBuilt } from './support/client-build.ts';
import { fakeCamera } from './support/fake-camera.ts';
import { END_INTERVIEW } from './support/host-operations.ts';
import { pdfText } from './support/pdf.ts';
import { databaseAgnostic, describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { SCRIPT, synthesiseInterview, type SpokenTurn, type SyntheticInterview } from './support/synthetic-interview.ts';
import { until } from './support/until.ts';

const run = promisify(execFile);
const TOLERANCE_MS = 500;
/** The composite's length against the recording's. */
const DURATION_TOLERANCE_S = 2.5;

const RECORDING = `query($interviewId: ID!, $candidateId: ID!) { recording(interviewId: $interviewId, candidateId: $candidateId) {
  startedAt tracks { participant kind startMs endMs }
  composite { status error durationMs downloadUrl }
} }`;

interface Track {
  participant: string;
  kind: string;
  startMs: number;
  endMs: number;
}

interface Segment {
  speaker: string;
  startMs: number;
  endMs: number;
}

/** Test instrumentation: notes (wall clock) when each microphone capture the page asks for starts. */
async function noteCaptureStarts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const starts: number[] = [];
    (window as unknown as { captureStarts: number[] }).captureStarts = starts;
    const devices = navigator.mediaDevices;
    const native = devices.getUserMedia.bind(devices);
    devices.getUserMedia = async (constraints?: MediaStreamConstraints) => {
      const stream = await native(constraints);
      if (stream.getAudioTracks().length > 0) starts.push(Date.now());
      return stream;
    };
  });
}

async function captureStartedAt(page: Page): Promise<number> {
  const starts = await page.evaluate(() => (window as unknown as { captureStarts: number[] }).captureStarts);
  assert.equal(starts.length, 1, 'one microphone capture, the one published');
  return starts[0]!;
}

/** The speaker's turns on the recording clock, repeated as the file loops, that lie wholly inside the track. */
function expectedTurns(audio: SyntheticInterview, speaker: SpokenTurn['speaker'], captureOffsetMs: number, track: Track): { startMs: number; endMs: number }[] {
  const turns: { startMs: number; endMs: number }[] = [];
  for (let loopAt = captureOffsetMs; loopAt < track.endMs; loopAt += audio.durationMs) {
    for (const turn of audio.turns.filter((t) => t.speaker === speaker)) {
      const startMs = loopAt + turn.startMs;
      const endMs = loopAt + turn.endMs;
      if (startMs >= track.startMs + TOLERANCE_MS && endMs <= track.endMs - TOLERANCE_MS) turns.push({ startMs, endMs });
    }
  }
  return turns;
}

function assertTurnsFound(found: Segment[], speaker: SpokenTurn['speaker'], expected: { startMs: number; endMs: number }[], track: Track) {
  // A segment touching the track's start or end is a turn the track cut: left out, as expectedTurns does.
  const detected = found.filter((s) => s.speaker === speaker && s.startMs >= track.startMs + TOLERANCE_MS && s.endMs <= track.endMs - TOLERANCE_MS);
  const detail = `${speaker}: detected ${JSON.stringify(detected)} vs spoken ${JSON.stringify(expected)} (track ${track.startMs}–${track.endMs})`;
  assert.ok(expected.length >= 2, `at least two whole turns recorded: ${detail}`);
  assert.equal(detected.length, expected.length, detail);
  expected.forEach((turn, i) => {
    assert.ok(Math.abs(detected[i]!.startMs - turn.startMs) <= TOLERANCE_MS, `turn ${i} start: ${detail}`);
    assert.ok(Math.abs(detected[i]!.endMs - turn.endMs) <= TOLERANCE_MS, `turn ${i} end: ${detail}`);
  });
}

describe(`media end to end: two Chromium pages speaking, composite, speech, report (${describeDatabase()})`, function () {
  this.timeout(420_000);
  let server: TestPlatform;
  let dir: string;
  let audio: SyntheticInterview;
  let candidateBrowser: TestBrowser;
  let hostBrowser: TestBrowser;

  before(async function () {
    databaseAgnostic(this); // Chromium, the SFU and ffmpeg; the report and speech jobs run on both databases in speech.test.ts
    dir = await mkdtemp(join(tmpdir(), 'proctor-media-e2e-'));
    // Four turns (two each): about 15 s of file, so a ~25 s interview holds every turn at least once.
    audio = await synthesiseInterview(dir, { script: SCRIPT.slice(0, 4), leadMs: 1000, gapMs: 800 });
    const camera = await fakeCamera('one-face');
    await ensureClientBuilt();
    [server, candidateBrowser, hostBrowser] = await Promise.all([
      startTestPlatform(),
      launchBrowser({ fakeVideo: camera, fakeAudio: audio.candidateWav }),
      launchBrowser({ fakeVideo: camera, fakeAudio: audio.hostWav }),
    ]);
  });
  after(async () => {
    await Promise.all([candidateBrowser?.close(), hostBrowser?.close()]);
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('records host and candidate, composes an MP4 of the right length, finds each speaker’s turns within 0.5 s, transcribes both and reports the speaking rows', async () => {
    const fixture: InterviewFixture = await liveInterview(server.url, { audioPolicy: 'IGNORE' });
    const ids = { interviewId: fixture.interviewId, candidateId: fixture.candidateId };
    const candidatePage = await candidateBrowser.context.newPage();
    await noteCaptureStarts(candidatePage);
    const candidate = await joinAsCandidate(candidateBrowser, fixture.link, { page: candidatePage });
    await candidate.waitForSelector('body[data-media="publishing"]', { timeout: 60_000 });
    const link = (await fixture.host.ok('mutation($id: ID!) { createRoomLink(interviewId: $id) { url } }', { id: fixture.interviewId })).createRoomLink.url;
    const room = await hostBrowser.context.newPage();
    room.on('pageerror', (error) => console.error(`room page error: ${error.message}`));
    await noteCaptureStarts(room);
    await room.goto(link);
    await room.waitForSelector('body[data-publishing="yes"]', { timeout: 60_000 });

    // Scenario time, not a wait for the server: the interview goes on until each microphone's track
    // holds every turn whole at least once. The file loops from an earlier start, so a turn cut
    // by the track's start comes back one file length later: the file's length, plus the longest
    // turn and the margins the comparison leaves at both ends (about 20 s, ~30 s with the set-up).
    const recordingSoFar = await until('both microphones recorded', async () => {
      const { recording } = await fixture.host.ok(RECORDING, ids).catch(() => ({ recording: null }));
      return recording?.tracks.filter((t: Track) => t.kind === 'MICROPHONE').length === 2 && recording;
    });
    const recordingClockAt = new Date(recordingSoFar.startedAt).getTime();
    const lastMicStart = Math.max(...recordingSoFar.tracks.filter((t: Track) => t.kind === 'MICROPHONE').map((t: Track) => t.startMs));
    const longestTurnMs = Math.max(...audio.turns.map((turn) => turn.endMs - turn.startMs));
    const everyTurnWholeMs = audio.durationMs + longestTurnMs + 2 * TOLERANCE_MS + 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, recordingClockAt + lastMicStart + everyTurnWholeMs - Date.now())));
    const { interview } = await fixture.host.ok('query($id: ID!) { interview(id: $id) { startedAt } }', { id: fixture.interviewId });
    const interviewStartedAt = new Date(interview.startedAt).getTime();
    const captureOffset = { CANDIDATE: (await captureStartedAt(candidatePage)) - interviewStartedAt, HOST: (await captureStartedAt(room)) - interviewStartedAt };
    await fixture.host.ok(END_INTERVIEW, { id: fixture.interviewId });

    // The composite: H.264 and AAC, as long as the recording within 2.5 s.
    const { recording, composite } = await until(
      'the composite to be READY',
      async () => {
        const { recording } = await fixture.host.ok(RECORDING, ids);
        assert.notEqual(recording.composite?.status, 'FAILED', recording.composite?.error);
        return recording.composite?.status === 'READY' && { recording, composite: recording.composite };
      },
      240_000,
    );
    const tracks: Track[] = recording.tracks;
    assert.deepEqual(tracks.map((t) => `${t.participant}/${t.kind}`).sort(), ['CANDIDATE/CAMERA', 'CANDIDATE/MICROPHONE', 'HOST/CAMERA', 'HOST/MICROPHONE']);
    const recordingSeconds = Math.max(...tracks.map((t) => t.endMs)) / 1000;
    const mp4 = join(dir, 'composite.mp4');
    await writeFile(mp4, new Uint8Array(await (await fetch(composite.downloadUrl)).arrayBuffer()));
    const probed = JSON.parse((await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name:format=duration', '-of', 'json', mp4])).stdout);
    assert.deepEqual(
      probed.streams.map((s: { codec_type: string; codec_name: string }) => `${s.codec_type}/${s.codec_name}`),
      ['video/h264', 'audio/aac'],
    );
    const seconds = Number(probed.format.duration);
    assert.ok(Math.abs(seconds - recordingSeconds) <= DURATION_TOLERANCE_S, `composite ${seconds} s, recording ${recordingSeconds} s`);

    // The report job runs the speech analysis on the recorded microphones.
    const report = await until(
      'the report to be READY',
      async () => {
        const { report } = await fixture.host.ok('query($id: ID!) { report(interviewId: $id) { status error downloadUrl } }', { id: fixture.interviewId });
        assert.notEqual(report.status, 'FAILED', report.error);
        return report.status === 'READY' && report;
      },
      240_000,
    );
    const { speaking } = await server.platform.services.speech.section(fixture.candidateId);
    const recordingOnInterviewClock = recordingClockAt - interviewStartedAt;
    for (const speaker of ['HOST', 'CANDIDATE'] as const) {
      const recorded = tracks.find((t) => t.participant === speaker && t.kind === 'MICROPHONE')!;
      const track = { ...recorded, startMs: recorded.startMs + recordingOnInterviewClock, endMs: recorded.endMs + recordingOnInterviewClock };
      assertTurnsFound(speaking, speaker, expectedTurns(audio, speaker, captureOffset[speaker], track), track);
    }
    // The transcription is its own job, after the report's first version.
    const transcript = await until(
      'the transcript to be DONE',
      async () => {
        const { transcript } = await fixture.host.ok(
          'query($id: ID!, $c: ID) { transcript(interviewId: $id, candidateId: $c) { status segments { speaker startMs endMs text } } }',
          { id: fixture.interviewId, c: fixture.candidateId },
        );
        assert.notEqual(transcript.status, 'FAILED');
        return transcript.status === 'DONE' && transcript;
      },
      240_000,
    );
    for (const speaker of ['HOST', 'CANDIDATE']) {
      assert.ok(
        transcript.segments.some((s: Segment & { text: string }) => s.speaker === speaker && s.text.length > 0),
        `a transcript segment of the ${speaker}: ${JSON.stringify(transcript.segments)}`,
      );
    }
    const text = await pdfText(new Uint8Array(await (await fetch(report.downloadUrl)).arrayBuffer()));
    assert.match(text, /Candidate speaking/);
    assert.match(text, /Host speaking/);
    await Promise.all([candidate.close(), room.close()]);
  });
});
