// A recorded microphone track is not a continuous stream: packets get lost on the way, a muted
// microphone sends none. The speech job must place what it hears by the track's timestamps, or
// every turn after a hole is reported early. Real ffmpeg: the candidate's synthetic track is
// encoded to Opus in WebM (as the recorder stores it), then packets are dropped from a stretch
// where the candidate is silent.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeToWav, readWavSamples } from '../server/speech/audio.ts';
import { detectVoice } from '../server/speech/vad.ts';
import { databaseAgnostic } from './support/platform.ts';
import { synthesiseInterview, type SyntheticInterview } from './support/synthetic-interview.ts';

const run = promisify(execFile);
const TOLERANCE_MS = 500;

/** The packets' timestamps of the file's audio stream, in ms. */
async function packetTimes(path: string): Promise<number[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', path]);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => Math.round(Number.parseFloat(line) * 1000));
}

describe('speech: decoding a recorded track with holes', function () {
  this.timeout(120_000);
  let dir: string;
  let audio: SyntheticInterview;

  before(async function () {
    databaseAgnostic(this);
    dir = await mkdtemp(join(tmpdir(), 'proctor-speech-audio-'));
    audio = await synthesiseInterview(dir);
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps every turn after a run of lost packets at its place on the track', async () => {
    // The host's second question: the candidate is silent for all of it.
    const question = audio.turns.filter((t) => t.speaker === 'HOST')[1]!;
    const lost = { fromMs: question.startMs + 200, toMs: question.endMs - 200 };
    const whole = join(dir, 'candidate.webm');
    const holed = join(dir, 'candidate-holed.webm');
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', audio.candidateWav, '-c:a', 'libopus', '-f', 'webm', whole]);
    await run('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-i',
      whole,
      '-c',
      'copy',
      '-bsf:a',
      `noise=drop='between(pts*tb,${lost.fromMs / 1000},${lost.toMs / 1000})'`,
      '-f',
      'webm',
      holed,
    ]);
    const times = await packetTimes(holed);
    const hole = Math.max(...times.slice(1).map((t, i) => t - times[i]!));
    assert.ok(hole >= lost.toMs - lost.fromMs - 100, `the file lacks ${lost.toMs - lost.fromMs} ms of packets (largest gap ${hole} ms)`);

    const wav = join(dir, 'candidate-holed.wav');
    await decodeToWav('ffmpeg', holed, wav);
    const detected = await detectVoice(await readWavSamples(wav));
    const spoken = audio.turns.filter((t) => t.speaker === 'CANDIDATE');
    const detail = `detected ${JSON.stringify(detected)} vs spoken ${JSON.stringify(spoken.map(({ startMs, endMs }) => ({ startMs, endMs })))}`;
    assert.equal(detected.length, spoken.length, detail);
    spoken.forEach((turn, i) => {
      assert.ok(Math.abs(detected[i]!.startMs - turn.startMs) <= TOLERANCE_MS, `turn ${i} start: ${detail}`);
      assert.ok(Math.abs(detected[i]!.endMs - turn.endMs) <= TOLERANCE_MS, `turn ${i} end: ${detail}`);
    });
  });
});
