// Speech on a real server and database: espeak-ng speaks a synthetic interview (one voice for the
// host, another for the candidate) with known turns; the detector must find each speaker's turns
// within 0.5 s, pocketsphinx must transcribe both, and the report job (ending the interview) must
// put the speaking rows, the conversation figures and the transcript notice in the PDF.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../server/log.ts';
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

const TOLERANCE_MS = 500;

describe(`speech (${describeDatabase()})`, function () {
  this.timeout(300_000);
  let server: TestPlatform;
  let host: GraphQLClient;
  let dir: string;
  let audio: SyntheticInterview;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'proctor-speech-test-'));
    audio = await synthesiseInterview(dir);
    server = await startTestPlatform();
    ({ client: host } = await signUp(new GraphQLClient(server.url)));
  });
  after(async () => {
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
      ffmpegPath: 'ffmpeg',
      engine: new PocketsphinxEngine(binary),
      tracks: async () => [
        { speaker: 'HOST', path: audio.hostWav, offsetMs: 0 },
        { speaker: 'CANDIDATE', path: audio.candidateWav, offsetMs: 0 },
      ],
      minConfidence: 0,
    });
    await speech.analyse(interviewId, candidateId);
    const { speaking, transcript } = await speech.section(candidateId);
    assertTurnsFound(speaking, 'HOST');
    assertTurnsFound(speaking, 'CANDIDATE');
    assert.equal(transcript.status, 'DONE');
    assert.equal(transcript.engine, 'pocketsphinx');
    for (const speaker of ['HOST', 'CANDIDATE']) {
      const segments = transcript.segments.filter((s) => s.speaker === speaker);
      assert.ok(segments.length > 0, `a transcript segment of the ${speaker}`);
      for (const s of segments) {
        assert.ok(s.text.length > 0 && s.confidence >= 0 && s.confidence <= 1 && s.endMs > s.startMs, JSON.stringify(s));
      }
    }
  });

  it("runs in the report job on the candidate's recording and puts the speaking rows and figures in the PDF", async () => {
    const { interviewId, candidateId } = await runInterview(server.url, host, { end: false });
    // Microphone tracks as the SFU records them, one per participant; they started 2 s after the
    // interview did, so every segment lands 2 s later on the interview clock.
    const startedAt = (await server.platform.orm.em.getConnection().execute<{ started_at: string }[]>('select started_at from interviews where id = ?', [interviewId]))[0]!
      .started_at;
    const offsetMs = 2_000;
    await mkdir(join(server.env.PROCTOR_DATA_DIR!, 'recordings', interviewId), { recursive: true });
    for (const [participant, path] of [
      ['CANDIDATE', audio.candidateWav],
      ['HOST', audio.hostWav],
    ] as const) {
      await server.platform.orm.em
        .getConnection()
        .execute(`insert into recordings (id, interview_id, candidate_id, participant, kind, path, started_at, ended_at) values (?, ?, ?, ?, 'MICROPHONE', ?, ?, ?)`, [
          randomUUID(),
          interviewId,
          participant === 'HOST' ? null : candidateId,
          participant,
          path,
          new Date(new Date(startedAt).getTime() + offsetMs),
          new Date(),
        ]);
    }
    await host.ok(END_INTERVIEW, { id: interviewId });
    const report = await until(
      'the report to be READY',
      async () => {
        const { report } = await host.ok('query($id: ID!) { report(interviewId: $id) { status error downloadUrl } }', { id: interviewId });
        assert.notEqual(report.status, 'FAILED', report.error);
        return report.status === 'READY' && report;
      },
      240_000,
    );
    const { speaking, transcript } = await server.platform.services.speech.section(candidateId);
    assertTurnsFound(speaking, 'CANDIDATE', offsetMs);
    assertTurnsFound(speaking, 'HOST', offsetMs);
    assert.ok(
      transcript.segments.some((s) => s.speaker === 'CANDIDATE'),
      'the candidate was transcribed',
    );
    const pdf = new Uint8Array(await (await fetch(report.downloadUrl)).arrayBuffer());
    const text = await pdfText(pdf);
    assert.match(text, /Candidate speaking/);
    assert.match(text, /Host speaking/);
    assert.match(text, /Conversation/);
    assert.match(text, /Talk ratio/);
    assert.match(text, /Questions and answers/);
    assert.match(text, /approximate, machine-generated/);

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
    const env = { PROCTOR_SERVER: server.url, PROCTOR_TOKEN: host.token!, PROCTOR_CONFIG_DIR: dir };
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
