// `npm run bench:media-jobs [-- --minutes 60] [-- --transcribe-minutes 5] [-- --composite-minutes 60] [-- --json]`:
// the composite recording's time (candidate and host cameras synthesised by ffmpeg as VP8 like the
// SFU records them, the two voices as microphones; target ≤ 0.5× realtime) beside a baseline of
// ffmpeg encoding the candidate's camera alone the same way; and the speech
// job's cost on a synthesised interview (espeak-ng, two voices, two tracks): ffmpeg decoding and
// voice activity detection over the whole interview (target ≤ 0.02× realtime), pocketsphinx over
// the first `--transcribe-minutes` of each track (target ≤ 0.5× realtime; the whole hour would
// take the bench half an hour), the word error rate of each engine on the test script, and peak
// memory (this process, and pocketsphinx's as /usr/bin/time reports it). Measured, not asserted.
// WER is per speaker track (each track's words against that speaker's lines), summed.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { renderComposite } from '../server/media/composite.ts';
import { decodeToWav, readWavSamples, SAMPLE_RATE, wavBytes } from '../server/speech/audio.ts';
import { PocketsphinxEngine } from '../server/speech/engines/pocketsphinx.ts';
import { detectVoice } from '../server/speech/vad.ts';
import { SCRIPT, synthesiseInterview } from '../test/support/synthetic-interview.ts';
import { writeFile } from 'node:fs/promises';

const run = promisify(execFile);
/** VP8 as the SFU records it, made quickly. */
const VP8 = ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '400k'];
const TARGETS = { vadRealtime: 0.02, transcriptRealtime: 0.5, compositeRealtime: 0.5 };

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    'transcribe-minutes': { type: 'string', default: '5' },
    'composite-minutes': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes);
const transcribeMinutes = Math.min(minutes, Number(values['transcribe-minutes']));
const compositeMinutes = Math.min(minutes, Number(values['composite-minutes'] ?? minutes));
const dir = await mkdtemp(join(tmpdir(), 'proctor-bench-speech-'));
const binary = PocketsphinxEngine.locate('pocketsphinx_continuous');
const results: Record<string, unknown> = { machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`, minutes, transcribeMinutes };
try {
  // The hour: the test script repeated, each speaker in their own track.
  const hour = await synthesiseInterview(dir, { minDurationMs: minutes * 60_000, gapMs: 700 });
  const audioSeconds = (hour.durationMs / 1000) * 2;
  let started = performance.now();
  let segments = 0;
  for (const [i, track] of [hour.hostWav, hour.candidateWav].entries()) {
    const wav = join(dir, `decoded-${i}.wav`);
    await decodeToWav('ffmpeg', track, wav);
    segments += (await detectVoice(await readWavSamples(wav))).length;
  }
  const vadSeconds = (performance.now() - started) / 1000;
  Object.assign(results, { audioSeconds, vadSeconds, vadRealtime: vadSeconds / audioSeconds, turns: hour.turns.length, segments });

  // The composite: two cameras as the SFU records them (VP8 WebM), the two voices as microphones.
  const compositeMs = compositeMinutes * 60_000;
  const camera = async (name: string, source: string) => {
    const path = join(dir, `${name}.webm`);
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `${source}:d=${compositeMs / 1000}`, ...VP8, '-y', path]);
    return path;
  };
  const candidateCamera = await camera('candidate-camera', 'testsrc=s=640x480:r=25');
  const hostCamera = await camera('host-camera', 'testsrc2=s=320x240:r=25');
  started = performance.now();
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', candidateCamera, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '27', '-y', join(dir, 'baseline.mp4')]);
  const baselineSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const composite = await renderComposite({
    ffmpegPath: 'ffmpeg',
    durationMs: compositeMs,
    output: join(dir, 'composite.mp4'),
    tracks: [
      { role: 'CANDIDATE_CAMERA', path: candidateCamera, offsetMs: 0 },
      { role: 'HOST_CAMERA', path: hostCamera, offsetMs: 0 },
      { role: 'CANDIDATE_AUDIO', path: hour.candidateWav, offsetMs: 0 },
      { role: 'HOST_AUDIO', path: hour.hostWav, offsetMs: 0 },
    ],
  });
  const compositeSeconds = (performance.now() - started) / 1000;
  Object.assign(results, {
    compositeMinutes,
    compositeSeconds,
    compositeRealtime: compositeSeconds / (compositeMs / 1000),
    compositeMiB: composite.bytes / 1_048_576,
    baselineSeconds,
    baselineRealtime: baselineSeconds / (compositeMs / 1000),
  });

  if (binary) {
    // Transcription: the first minutes of each track.
    const engine = new PocketsphinxEngine(binary);
    let transcribed = 0;
    started = performance.now();
    for (const [i, track] of [hour.hostWav, hour.candidateWav].entries()) {
      const samples = (await readWavSamples(track)).subarray(0, transcribeMinutes * 60 * SAMPLE_RATE);
      const wav = join(dir, `sample-${i}.wav`);
      await writeFile(wav, wavBytes(samples));
      await engine.transcribe(wav, await detectVoice(samples));
      transcribed += samples.length / SAMPLE_RATE;
    }
    const transcriptSeconds = (performance.now() - started) / 1000;
    const { stderr } = await run('/usr/bin/time', ['-f', '%M', binary, '-infile', join(dir, 'sample-1.wav'), '-time', 'yes', '-logfn', '/dev/null'], {
      maxBuffer: 64 * 1024 * 1024,
    });
    Object.assign(results, {
      transcribedSeconds: transcribed,
      transcriptSeconds,
      transcriptRealtime: transcriptSeconds / transcribed,
      pocketsphinxPeakRssMiB: Number(stderr.trim().split('\n').at(-1)) / 1024,
    });

    // Word error rate on the test script, one engine at a time (the remote ones cannot be reached from here).
    const script = await synthesiseInterview(join(dir), { gapMs: 800 });
    let errors = 0;
    let referenceWords = 0;
    for (const [speaker, track] of [
      ['HOST', script.hostWav],
      ['CANDIDATE', script.candidateWav],
    ] as const) {
      const voice = await detectVoice(await readWavSamples(track));
      const hypothesis = words((await engine.transcribe(track, voice)).map((s) => s.text).join(' '));
      const reference = words(
        SCRIPT.filter((line) => line.speaker === speaker)
          .map((line) => line.text)
          .join(' '),
      );
      errors += editDistance(reference, hypothesis);
      referenceWords += reference.length;
    }
    results.werPocketsphinx = errors / referenceWords;
  }
  results.werOpenAi = 'not measured: the service cannot be reached from this machine';
  results.werAssemblyAi = 'not measured: the service cannot be reached from this machine';
  results.benchPeakRssMiB = process.resourceUsage().maxRSS / 1024;
} finally {
  await rm(dir, { recursive: true, force: true });
}

if (values.json) console.log(JSON.stringify(results, null, 2));
else {
  const r = results as Record<string, number>;
  console.log(`media jobs on a ${minutes}-minute synthesised interview (two tracks, ${r.turns} turns), ${String(results.machine)}`);
  console.log(
    `  composite MP4, ${compositeMinutes} min       : ${r.compositeSeconds!.toFixed(1)} s = ${r.compositeRealtime!.toFixed(3)}× realtime (target ≤ ${TARGETS.compositeRealtime}×), ${r.compositeMiB!.toFixed(0)} MiB; baseline (the candidate's camera alone to H.264): ${r.baselineSeconds!.toFixed(1)} s = ${r.baselineRealtime!.toFixed(3)}×`,
  );
  console.log(
    `  decode + VAD, whole interview : ${r.vadSeconds!.toFixed(1)} s for ${(r.audioSeconds! / 60).toFixed(0)} min of audio = ${r.vadRealtime!.toFixed(4)}× realtime (target ≤ ${TARGETS.vadRealtime}×), ${r.segments} segments`,
  );
  if (binary) {
    console.log(
      `  pocketsphinx, first ${transcribeMinutes} min/track: ${r.transcriptSeconds!.toFixed(1)} s for ${(r.transcribedSeconds! / 60).toFixed(1)} min = ${r.transcriptRealtime!.toFixed(2)}× realtime (target ≤ ${TARGETS.transcriptRealtime}×)`,
    );
    console.log(`  WER on the test script        : pocketsphinx ${(r.werPocketsphinx! * 100).toFixed(0)} %; OpenAI-compatible and AssemblyAI not measured (unreachable here)`);
    console.log(`  peak RSS                      : bench process ${r.benchPeakRssMiB!.toFixed(0)} MiB, pocketsphinx ${r.pocketsphinxPeakRssMiB!.toFixed(0)} MiB`);
  } else console.log('  pocketsphinx is not installed: transcription not measured');
}

function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z' ]+/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

/** Word-level Levenshtein distance (substitutions, insertions, deletions). */
function editDistance(reference: string[], hypothesis: string[]): number {
  let previous = Array.from({ length: hypothesis.length + 1 }, (_, j) => j);
  for (let i = 1; i <= reference.length; i++) {
    const current = [i];
    for (let j = 1; j <= hypothesis.length; j++)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[hypothesis.length]!;
}
