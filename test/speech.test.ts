// Speech on a real server and database: espeak-ng speaks a synthetic interview (one voice for the
// host, another for the candidate) with known turns; the detector must find each speaker's turns
// within 0.5 s and pocketsphinx must transcribe both. Ending the interview while the recorders
// still finalize their files, the report job must wait for them, then put
// the speaking rows and conversation figures in a first version that does not wait for the
// transcript (it says the transcript is in progress); the transcribe-speech job, even one whose
// enqueue failed, must then make a later version with the questions and answers.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { JobRunner } from '../server/jobs/job-runner.ts';
import { createLogger } from '../server/log.ts';
import { RecordingStore } from '../server/media/recording-store.ts';
import { PocketsphinxEngine } from '../server/speech/engines/pocketsphinx.ts';
import { SpeechService } from '../server/speech/speech.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { END_INTERVIEW } from './support/host-operations.ts';
import { runInterview } from './support/interview-flow.ts';
import { runProctor } from './support/proctor-cli.ts';
import { pdfText } from './support/pdf.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { synthesiseInterview, type SpokenTurn, type SyntheticInterview } from './support/synthetic-interview.ts';
import { until } from './support/until.ts';
import { startReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

const TOLERANCE_MS = 500;

/**
 * Fault injection: every enqueue of a transcription fails, as when the job store cannot be reached
 * (or the process died before it enqueued), until `lift()`.
 */
function failTranscriptionEnqueues(jobs: JobRunner): { tries: () => number; lift: () => void } {
  const enqueueOnce = jobs.enqueueOnce.bind(jobs);
  let tries = 0;
  jobs.enqueueOnce = async (job, data) => {
    if (job !== 'transcribe-speech') return enqueueOnce(job, data);
    tries++;
    throw new Error('the job store is unreachable (injected)');
  };
  return { tries: () => tries, lift: () => void (jobs.enqueueOnce = enqueueOnce) };
}

/**
 * Counts the reads of recorded tracks' timelines (RecordingStore.ofCandidateTimeline, by any job)
 * since the speech analysis began: a job that waits for a recorder to finalize reads it again and again.
 */
function watchTimelineReads(speech: SpeechService): { readsSinceSpeech: () => number; restore: () => void } {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the store as `this`, then put back
  const { ofCandidateTimeline } = RecordingStore.prototype;
  const detectSpeaking = speech.detectSpeaking.bind(speech);
  let reads: number | undefined;
  speech.detectSpeaking = (interviewId, candidateId) => {
    reads = 0;
    return detectSpeaking(interviewId, candidateId);
  };
  RecordingStore.prototype.ofCandidateTimeline = function (this: RecordingStore, interviewId: string, candidateId: string) {
    if (reads !== undefined) reads++;
    return ofCandidateTimeline.call(this, interviewId, candidateId);
  };
  return {
    readsSinceSpeech: () => reads ?? 0,
    restore: () => {
      speech.detectSpeaking = detectSpeaking;
      RecordingStore.prototype.ofCandidateTimeline = ofCandidateTimeline;
    },
  };
}

describe(`speech (${describeDatabase()})`, function () {
  this.timeout(300_000);
  let server: TestPlatform;
  let host: GraphQLClient;
  let dir: string;
  let audio: SyntheticInterview;
  let receiver: WebhookReceiver;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'proctor-speech-test-'));
    audio = await synthesiseInterview(dir);
    // A short pending-work sweep: it is what starts a transcription whose enqueue failed.
    server = await startTestPlatform({ pendingSweepIntervalMs: 1000 }, { PROCTOR_WEBHOOK_ALLOW_PRIVATE: 'true' });
    ({ client: host } = await signUp(new GraphQLClient(server.url)));
    receiver = await startReceiver();
    await host.ok('mutation($url: String!) { createWebhook(url: $url, events: [TRANSCRIPT_READY, REPORT_READY]) { webhook { id } } }', { url: receiver.url });
  });
  after(async () => {
    await receiver?.close();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Each known turn of `speaker` matches one detected segment within the tolerance, and nothing else was detected. */
  function assertTurnsFound(found: { speaker: string; startMs: number; endMs: number }[], speaker: SpokenTurn['speaker'], offsetMs = 0) {
    const detected = found.filter((s) => s.speaker === speaker);
    const truth = audio.turns.filter((t) => t.speaker === speaker);
    assert.equal(detected.length, truth.length, `${speaker}: ${JSON.stringify(detected)} vs ${JSON.stringify(truth)}`);
    truth.forEach((turn, i) => {
      assert.ok(
        Math.abs(detected[i]!.startMs - (turn.startMs + offsetMs)) <= TOLERANCE_MS,
        `${speaker} turn ${i} starts at ${detected[i]!.startMs}, spoken at ${turn.startMs + offsetMs}`,
      );
      assert.ok(
        Math.abs(detected[i]!.endMs - (turn.endMs + offsetMs)) <= TOLERANCE_MS,
        `${speaker} turn ${i} ends at ${detected[i]!.endMs}, spoken until ${turn.endMs + offsetMs}`,
      );
    });
  }

  it("finds each speaker's turns within 0.5 s and transcribes both with pocketsphinx", async () => {
    const binary = PocketsphinxEngine.locate('pocketsphinx_continuous');
    assert.ok(binary, 'pocketsphinx_continuous is installed (Debian: pocketsphinx, pocketsphinx-en-us)');
    const { interviewId, candidateId } = await runInterview(server.url, host, { end: false });
    const speech = new SpeechService({
      orm: server.platform.orm,
      logger: createLogger('silent'),
      webhooks: server.platform.services.webhooks,
      ffmpegPath: 'ffmpeg',
      engine: new PocketsphinxEngine(binary),
      tracks: async () => ({
        tracks: [
          { speaker: 'HOST', path: audio.hostWav, offsetMs: 0 },
          { speaker: 'CANDIDATE', path: audio.candidateWav, offsetMs: 0 },
        ],
        empty: 0,
      }),
      minConfidence: 0,
      attempts: 1,
      // The interview runs on: it has no report to make again.
      transcriptSettled: (tx, interview, candidate) => server.platform.services.reports.recordNewVersion(tx, interview, candidate),
    });
    await speech.detectSpeaking(interviewId, candidateId);
    const { speaking, transcript: pending } = await speech.section(candidateId);
    assertTurnsFound(speaking, 'HOST');
    assertTurnsFound(speaking, 'CANDIDATE');
    assert.equal(pending.status, 'PENDING');
    assert.deepEqual(pending.segments, []);
    const [row] = await server.platform.orm.em.getConnection().execute<{ id: string }[]>('select id from transcriptions where candidate_id = ?', [candidateId]);
    await speech.transcribe(row!.id);
    const { transcript } = await speech.section(candidateId);
    assert.equal(transcript.status, 'DONE');
    assert.equal(transcript.progress, 1);
    assert.equal(transcript.engine, 'pocketsphinx');
    for (const speaker of ['HOST', 'CANDIDATE']) {
      const segments = transcript.segments.filter((s) => s.speaker === speaker);
      assert.ok(segments.length > 0, `a transcript segment of the ${speaker}`);
      for (const s of segments) {
        assert.ok(s.text.length > 0 && s.confidence >= 0 && s.confidence <= 1 && s.endMs > s.startMs, JSON.stringify(s));
      }
    }
  });

  it('reports the speaking rows without waiting for the transcript, then its own job adds the questions and answers as a new version', async () => {
    const { interviewId, candidateId } = await runInterview(server.url, host, { end: false });
    // Microphone tracks as the SFU records them, one per participant; they started 2 s after the
    // interview did, so every segment lands 2 s later on the interview clock.
    const startedAt = (await server.platform.orm.em.getConnection().execute<{ started_at: string }[]>('select started_at from interviews where id = ?', [interviewId]))[0]!
      .started_at;
    const offsetMs = 2_000;
    const recordings = join(server.env.PROCTOR_DATA_DIR!, 'recordings', interviewId);
    await mkdir(recordings, { recursive: true });
    // The recorders are still finalizing their files when the interview ends: the files are not
    // there yet, nor the rows' ends. The report job must wait for them.
    const tracks = (
      [
        ['CANDIDATE', audio.candidateWav],
        ['HOST', audio.hostWav],
      ] as const
    ).map(([participant, wav]) => ({ id: randomUUID(), participant, wav, path: join(recordings, `${participant.toLowerCase()}-microphone.wav`) }));
    for (const track of tracks) {
      await server.platform.orm.em
        .getConnection()
        .execute(`insert into recordings (id, interview_id, candidate_id, participant, kind, path, started_at) values (?, ?, ?, ?, 'MICROPHONE', ?, ?)`, [
          track.id,
          interviewId,
          track.participant === 'HOST' ? null : candidateId,
          track.participant,
          track.path,
          new Date(new Date(startedAt).getTime() + offsetMs),
        ]);
    }
    // A reconnect whose recorder received nothing: a WebM header and no audio, which ffmpeg refuses
    // as an input. The analysis leaves it out (and says so) instead of failing on it.
    const emptyFragment = join(recordings, 'candidate-microphone-reconnect.webm');
    await promisify(execFile)('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'anullsrc=r=48000:cl=mono',
      '-t',
      '0',
      '-c:a',
      'libopus',
      emptyFragment,
    ]);
    await server.platform.orm.em
      .getConnection()
      .execute(`insert into recordings (id, interview_id, candidate_id, participant, kind, path, started_at, ended_at) values (?, ?, ?, 'CANDIDATE', 'MICROPHONE', ?, ?, ?)`, [
        randomUUID(),
        interviewId,
        candidateId,
        emptyFragment,
        new Date(new Date(startedAt).getTime() + offsetMs + 1_000),
        new Date(new Date(startedAt).getTime() + offsetMs + 1_100),
      ]);
    const env = { PROCTOR_SERVER: server.url, PROCTOR_TOKEN: host.token!, PROCTOR_CONFIG_DIR: dir };
    const fault = failTranscriptionEnqueues(server.platform.jobs);
    const timeline = watchTimelineReads(server.platform.services.speech);
    await host.ok(END_INTERVIEW, { id: interviewId });
    const REPORT = 'query($id: ID!) { report(interviewId: $id) { status error version transcriptStatus downloadUrl } }';
    // Read three times since the analysis began: more than one poll apart, so it is waiting.
    await until('the jobs to read the tracks three times since the speech analysis began', async () => timeline.readsSinceSpeech() >= 3);
    timeline.restore();
    for (const track of tracks) {
      await copyFile(track.wav, track.path);
      await server.platform.orm.em.getConnection().execute('update recordings set ended_at = now() where id = ?', [track.id]);
    }
    const first = await until(
      'the first report version to be READY',
      async () => {
        const { report } = await host.ok(REPORT, { id: interviewId });
        assert.notEqual(report.status, 'FAILED', report.error);
        return report.status === 'READY' && report;
      },
      240_000,
    );
    // The first version is out while the transcription has not even started: the report job starts it after.
    await until('the report job to try to enqueue the transcription', async () => fault.tries() > 0);
    assert.equal(first.version, 1);
    assert.equal(first.transcriptStatus, 'PENDING');
    const TRANSCRIPT_STATUS = 'query($id: ID!) { transcript(interviewId: $id) { status progress segments { text } } }';
    assert.deepEqual((await host.ok(TRANSCRIPT_STATUS, { id: interviewId })).transcript, { status: 'PENDING', progress: 0, segments: [] });
    const firstText = await pdfText(new Uint8Array(await (await fetch(first.downloadUrl)).arrayBuffer()));
    for (const shown of [
      /Candidate speaking/,
      /Host speaking/,
      /Conversation/,
      /Talk ratio/,
      /Questions and answers/,
      /Transcript in progress/,
      /1 microphone track holds no audio/,
    ])
      assert.match(firstText, shown);
    assert.doesNotMatch(firstText, /approximate, machine-generated/);
    const { speaking, transcript: pending } = await server.platform.services.speech.section(candidateId);
    assertTurnsFound(speaking, 'CANDIDATE', offsetMs);
    assertTurnsFound(speaking, 'HOST', offsetMs);
    assert.equal(pending.note, '1 microphone track holds no audio (the recorder received nothing) and is left out');
    // The CLI: the report (--wait does not wait for the transcript) and the transcription's status.
    const waited = await runProctor(['report', interviewId, '--wait'], env);
    assert.equal(waited.code, 0, waited.stderr);
    assert.match(waited.stdout, /READY \(version 1\)/);
    assert.match(waited.stdout, /Transcript in progress/);
    const pendingCli = await runProctor(['transcript', interviewId], env);
    assert.equal(pendingCli.code, 0, pendingCli.stderr);
    assert.match(pendingCli.stdout, /Transcription in progress \(waiting for its job, by pocketsphinx\)/);

    // The job store is back: the pending-work sweep starts the transcription, and its end makes version 2.
    fault.lift();
    await until(
      'the transcript to be DONE',
      async () => {
        const { transcript } = await host.ok(TRANSCRIPT_STATUS, { id: interviewId });
        assert.notEqual(transcript.status, 'FAILED');
        return transcript.status === 'DONE';
      },
      240_000,
    );
    const report = await until(
      'a report version with the transcript',
      async () => {
        const { report } = await host.ok(REPORT, { id: interviewId });
        assert.notEqual(report.status, 'FAILED', report.error);
        return report.status === 'READY' && report.transcriptStatus === 'DONE' && report;
      },
      120_000,
    );
    assert.ok(report.version >= 2, `version ${report.version}`);
    const { reportVersions } = await host.ok('query($id: ID!) { reportVersions(interviewId: $id) { version transcriptStatus } }', { id: interviewId });
    assert.deepEqual(reportVersions[0], { version: 1, transcriptStatus: 'PENDING' });
    assert.equal(reportVersions.at(-1).transcriptStatus, 'DONE');
    const { transcript } = await server.platform.services.speech.section(candidateId);
    assert.ok(
      transcript.segments.some((s) => s.speaker === 'CANDIDATE'),
      'the candidate was transcribed',
    );
    const text = await pdfText(new Uint8Array(await (await fetch(report.downloadUrl)).arrayBuffer()));
    assert.match(text, /Candidate speaking/);
    assert.match(text, /Questions and answers/);
    assert.match(text, /approximate, machine-generated/);
    assert.doesNotMatch(text, /Transcript in progress/);
    // transcript.ready, and a report.ready for each version saying whether its transcript was there.
    const events = await until('transcript.ready and the second report.ready', async () => {
      const bodies = receiver.received.map((r) => JSON.parse(r.body)).filter((b) => b.data.interviewId === interviewId);
      const ready = bodies.filter((b) => b.event === 'transcript.ready');
      const reports = bodies.filter((b) => b.event === 'report.ready').map((b) => b.data.transcriptStatus);
      return ready.length === 1 && reports.includes('DONE') && { ready: ready[0], reports };
    });
    assert.deepEqual(events.ready.data, { interviewId, candidateId, engine: 'pocketsphinx', approximate: true, segments: transcript.segments.length });
    assert.ok(events.reports.includes('PENDING'), events.reports.join());

    // The API: the transcript, a search within it, bad input and another org.
    const TRANSCRIPT =
      'query($id: ID!, $c: ID, $q: String) { transcript(interviewId: $id, candidateId: $c, query: $q) { status engine approximate segments { speaker startMs endMs text confidence } } }';
    const { transcript: served } = await host.ok(TRANSCRIPT, { id: interviewId });
    assert.equal(served.status, 'DONE');
    assert.equal(served.engine, 'pocketsphinx');
    assert.equal(served.approximate, true);
    assert.deepEqual(served.segments, transcript.segments);
    // A word the candidate said: the human output below must show a CANDIDATE line.
    const word = transcript.segments.find((s) => s.speaker === 'CANDIDATE')!.text.split(' ')[0]!;
    const { transcript: found } = await host.ok(TRANSCRIPT, { id: interviewId, q: word.toUpperCase() });
    assert.ok(found.segments.length > 0 && found.segments.every((s: { text: string }) => s.text.toLowerCase().includes(word.toLowerCase())), JSON.stringify(found));
    const { transcript: none } = await host.ok(TRANSCRIPT, { id: interviewId, q: '100%_nothing' });
    assert.deepEqual(none.segments, []);
    assert.equal((await host.error(TRANSCRIPT, { id: interviewId, q: '  ' })).code, 'BAD_USER_INPUT');
    assert.equal((await host.error(TRANSCRIPT, { id: interviewId, q: 'x'.repeat(201) })).code, 'BAD_USER_INPUT');
    assert.equal((await host.error(TRANSCRIPT, { id: 'not-an-id' })).code, 'NOT_FOUND');
    assert.equal((await host.error(TRANSCRIPT, { id: interviewId, c: randomUUID() })).code, 'NOT_FOUND');
    const { client: stranger } = await signUp(new GraphQLClient(server.url));
    assert.equal((await stranger.error(TRANSCRIPT, { id: interviewId })).code, 'NOT_FOUND');
    assert.equal((await stranger.error(TRANSCRIPT, { id: interviewId, c: candidateId })).code, 'NOT_FOUND');

    // The consent page is told the audio is transcribed, here on the server.
    const config = await (await fetch(`${server.url}/app-config.json`)).json();
    assert.deepEqual(config.transcription, { by: null });
    // The CLI prints the same transcript, marked approximate.
    const json = await runProctor(['transcript', interviewId, '--json'], env);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout).segments, transcript.segments);
    const human = await runProctor(['transcript', interviewId, '--search', word], env);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /Transcript by pocketsphinx: approximate, machine-generated/);
    assert.match(human.stdout, /CANDIDATE/);

    // Retention: once the interview ended longer ago than its retention, the transcript goes with the recordings.
    await server.platform.orm.em.getConnection().execute(`update interviews set ended_at = now() - interval '400 days' where id = ?`, [interviewId]);
    const swept = await server.platform.services.retention.sweep();
    assert.ok(swept.deletedSpeechRows > 0, JSON.stringify(swept));
    const { transcript: gone } = await host.ok(TRANSCRIPT, { id: interviewId });
    assert.deepEqual(gone, { status: 'NONE', engine: null, approximate: true, segments: [] });
  });
});
