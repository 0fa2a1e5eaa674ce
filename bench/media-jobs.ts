// `npm run bench:media-jobs [-- --minutes 60] [-- --transcribe-minutes 5] [-- --composite-minutes 60] [-- --budget S] [-- --json]`:
// the media jobs' cost on a synthesised interview. The composite recording's time, run by the
// production code (server/media/composite.ts), over the candidate's and host's cameras as Chrome
// sends them and the recorder stores them (VP8 WebM 640×480, 30 fps, ~500 kbps: one minute encoded,
// looped with -c copy, cached in the temp dir) and both voices as opus WebM microphones (target ≤
// 0.5× realtime), beside a baseline of ffmpeg encoding the candidate's camera alone the same way;
// ffmpeg decoding and voice activity detection over both microphones (target ≤ 0.02× realtime);
// pocketsphinx over the first `--transcribe-minutes` of each track (target ≤ 0.5× realtime; the
// whole hour would take the bench half an hour); the word error rate of each engine on the test
// script (per speaker track, each track's words against that speaker's lines, summed); and peak
// memory (this process, the composite's ffmpeg, pocketsphinx). Measured, not asserted. Bounded:
// every step has a deadline, and a composite or baseline past its deadline is printed as its result.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderComposite } from '../server/media/composite.ts';
import { decodeToWav, readWavSamples, SAMPLE_RATE, wavBytes } from '../server/speech/audio.ts';
import { PocketsphinxEngine } from '../server/speech/engines/pocketsphinx.ts';
import { detectVoice } from '../server/speech/vad.ts';
import { CANDIDATE_VOICE, HOST_VOICE, SCRIPT, synthesiseInterview } from '../test/support/synthetic-interview.ts';
import { watchChildMemory } from './support/child-memory.ts';
import { asLimit, Limit, seconds, within } from './support/limits.ts';
import { MIB, progress } from './support/report.ts';
import { budgetMs, runBench } from './support/run.ts';
import { CHROME_CAMERA, loopedCamera, opusMicrophone, run } from './support/synthetic-recording.ts';

const TARGETS = { vadRealtime: 0.02, transcriptRealtime: 0.5, compositeRealtime: 0.5 };
const GAP_MS = 700;
/** The composite and its baseline get this much time per second of recording before they count as not done: twice the target. */
const ENCODE_DEADLINE_REALTIME = 2 * TARGETS.compositeRealtime;
const SYNTHESIS_TIMEOUT_MS = 300_000;
const SPEECH_TIMEOUT_MS = 900_000;
/** How often a long step says it is still working. */
const TICK_MS = 60_000;

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    'transcribe-minutes': { type: 'string', default: '5' },
    'composite-minutes': { type: 'string' },
    budget: { type: 'string', default: '5400' },
    json: { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes);
const transcribeMinutes = Math.min(minutes, Number(values['transcribe-minutes']));
const compositeMinutes = Math.min(minutes, Number(values['composite-minutes'] ?? minutes));

/** What a step that may run past its deadline gave: its time, or how long it had when it was stopped. */
type Timed = { seconds: number } | { notDoneWithin: number };

/** `work` timed, with a progress line now and then; past `limitMs` it is stopped (through its signal) and reported as not done. */
async function timed(what: string, limitMs: number, signal: AbortSignal, work: (signal: AbortSignal) => Promise<unknown>): Promise<Timed> {
  const deadline = AbortSignal.timeout(limitMs);
  const started = performance.now();
  progress(`${what} (deadline ${seconds(limitMs)})`);
  const ticker = setInterval(() => progress(`${what}: still running after ${((performance.now() - started) / 1000).toFixed(0)} s`), TICK_MS);
  try {
    await within(work(AbortSignal.any([signal, deadline])), limitMs, what, signal);
    const elapsed = (performance.now() - started) / 1000;
    progress(`${what}: done in ${elapsed.toFixed(1)} s`);
    return { seconds: elapsed };
  } catch (error) {
    if (signal.aborted || !(deadline.aborted || asLimit(error)?.kind === 'ack timeout')) throw error;
    progress(`${what}: not done within ${seconds(limitMs)}, stopped`);
    return { notDoneWithin: limitMs / 1000 };
  } finally {
    clearInterval(ticker);
  }
}

async function main(signal: AbortSignal): Promise<void> {
  const loadAtStart = loadavg()[0] ?? 0;
  const dir = await mkdtemp(join(tmpdir(), 'proctor-bench-speech-'));
  const binary = PocketsphinxEngine.locate('pocketsphinx_continuous');
  const results: Record<string, unknown> = {
    machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}`,
    loadAtStart,
    minutes,
    transcribeMinutes,
    camera: CHROME_CAMERA,
  };
  try {
    // The hour: the test script repeated, each speaker in their own track.
    progress(`synthesising a ${minutes}-minute interview with espeak-ng`);
    const hour = await within(synthesiseInterview(dir, { minDurationMs: minutes * 60_000, gapMs: GAP_MS }), SYNTHESIS_TIMEOUT_MS, 'synthesising the voices', signal);
    progress('the microphones as opus WebM (cached)');
    const key = `${minutes}min-gap${GAP_MS}`;
    const microphones = {
      HOST: await opusMicrophone(hour.hostWav, `voice-${HOST_VOICE}-${key}`, hour.durationMs / 1000, signal),
      CANDIDATE: await opusMicrophone(hour.candidateWav, `voice-${CANDIDATE_VOICE}-${key}`, hour.durationMs / 1000, signal),
    };

    const audioSeconds = (hour.durationMs / 1000) * 2;
    let segments = 0;
    const vad = await timed('decode + VAD over both microphones', SPEECH_TIMEOUT_MS, signal, async () => {
      for (const [speaker, microphone] of Object.entries(microphones)) {
        const wav = join(dir, `decoded-${speaker}.wav`);
        await decodeToWav('ffmpeg', microphone, wav);
        segments += (await detectVoice(await readWavSamples(wav))).length;
      }
    });
    if ('notDoneWithin' in vad) throw new Limit('ack timeout', `decode + VAD: not done within ${vad.notDoneWithin} s`);
    Object.assign(results, { audioSeconds, vadSeconds: vad.seconds, vadRealtime: vad.seconds / audioSeconds, turns: hour.turns.length, segments });

    // The composite: the two cameras, the two microphones.
    const compositeSeconds = compositeMinutes * 60;
    progress(`the cameras: ${compositeMinutes} minutes of VP8 each (cached; a cold run encodes one minute of each)`);
    const candidateCamera = await loopedCamera({ pattern: 'testsrc2', ...CHROME_CAMERA }, compositeMinutes, signal);
    const hostCamera = await loopedCamera({ pattern: 'testsrc', ...CHROME_CAMERA }, compositeMinutes, signal);
    const encodeLimitMs = compositeSeconds * ENCODE_DEADLINE_REALTIME * 1000;
    const compositeMemory = watchChildMemory('ffmpeg');
    let compositeBytes = 0;
    let reported = 0;
    const compositeStarted = performance.now();
    const composite = await timed(`composite: ${compositeMinutes} min`, encodeLimitMs, signal, async (stop) => {
      const output = await renderComposite({
        ffmpegPath: 'ffmpeg',
        durationMs: compositeSeconds * 1000,
        output: join(dir, 'composite.mp4'),
        tracks: [
          { role: 'CANDIDATE_CAMERA', path: candidateCamera, offsetMs: 0 },
          { role: 'HOST_CAMERA', path: hostCamera, offsetMs: 0 },
          { role: 'CANDIDATE_AUDIO', path: microphones.CANDIDATE, offsetMs: 0 },
          { role: 'HOST_AUDIO', path: microphones.HOST, offsetMs: 0 },
        ],
        onProgress: (fraction) => {
          if (fraction < reported + 0.1 || fraction === 1) return;
          reported = fraction;
          const elapsed = (performance.now() - compositeStarted) / 1000;
          progress(`composite: ${(fraction * 100).toFixed(0)} % after ${elapsed.toFixed(0)} s = ${(elapsed / (fraction * compositeSeconds)).toFixed(3)}× realtime so far`);
        },
        signal: stop,
      });
      compositeBytes = output.bytes;
    });
    const compositeFfmpegPeakBytes = await compositeMemory();
    const baseline = await timed(`baseline: the candidate's camera alone to H.264, ${compositeMinutes} min`, encodeLimitMs, signal, (stop) =>
      run(
        'ffmpeg',
        ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', candidateCamera, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '27', '-y', join(dir, 'baseline.mp4')],
        'the baseline',
        encodeLimitMs,
        stop,
      ),
    );
    Object.assign(results, {
      compositeMinutes,
      composite: realtime(composite, compositeSeconds),
      compositeMiB: compositeBytes / MIB,
      compositeFfmpegPeakRssMiB: compositeFfmpegPeakBytes / MIB,
      baseline: realtime(baseline, compositeSeconds),
    });

    if (binary) {
      // Transcription: the first minutes of each track.
      const engine = new PocketsphinxEngine(binary);
      let transcribed = 0;
      const transcript = await timed(`pocketsphinx over the first ${transcribeMinutes} min of each track`, SPEECH_TIMEOUT_MS, signal, async () => {
        for (const [i, track] of [hour.hostWav, hour.candidateWav].entries()) {
          const samples = (await readWavSamples(track)).subarray(0, transcribeMinutes * 60 * SAMPLE_RATE);
          const wav = join(dir, `sample-${i}.wav`);
          await writeFile(wav, wavBytes(samples));
          await engine.transcribe(wav, await detectVoice(samples));
          transcribed += samples.length / SAMPLE_RATE;
        }
      });
      if ('notDoneWithin' in transcript) throw new Limit('ack timeout', `pocketsphinx: not done within ${transcript.notDoneWithin} s`);
      const { stderr } = await run(
        '/usr/bin/time',
        ['-f', '%M', binary, '-infile', join(dir, 'sample-1.wav'), '-time', 'yes', '-logfn', '/dev/null'],
        'pocketsphinx under /usr/bin/time',
        SPEECH_TIMEOUT_MS,
        signal,
      );
      Object.assign(results, {
        transcribedSeconds: transcribed,
        transcriptSeconds: transcript.seconds,
        transcriptRealtime: transcript.seconds / transcribed,
        pocketsphinxPeakRssMiB: Number(stderr.trim().split('\n').at(-1)) / 1024,
      });

      // Word error rate on the test script, one engine at a time (the remote ones cannot be reached from here).
      progress('word error rate on the test script');
      const script = await within(synthesiseInterview(join(dir), { gapMs: 800 }), SYNTHESIS_TIMEOUT_MS, 'synthesising the test script', signal);
      let errors = 0;
      let referenceWords = 0;
      for (const [speaker, track] of [
        ['HOST', script.hostWav],
        ['CANDIDATE', script.candidateWav],
      ] as const) {
        const voice = await detectVoice(await readWavSamples(track));
        const hypothesis = words((await within(engine.transcribe(track, voice), SPEECH_TIMEOUT_MS, 'pocketsphinx on the test script', signal)).map((s) => s.text).join(' '));
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
  report(results, Boolean(binary));
}

function realtime(step: Timed, recordingSeconds: number): { seconds: number; realtime: number } | { notDoneWithin: number; realtimeOver: number } {
  return 'seconds' in step
    ? { seconds: step.seconds, realtime: step.seconds / recordingSeconds }
    : { notDoneWithin: step.notDoneWithin, realtimeOver: step.notDoneWithin / recordingSeconds };
}

function report(results: Record<string, unknown>, transcribed: boolean): void {
  if (values.json) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  const r = results as Record<string, number>;
  const encode = (figures: ReturnType<typeof realtime>) =>
    'seconds' in figures
      ? `${figures.seconds.toFixed(1)} s = ${figures.realtime.toFixed(3)}×`
      : `not done within ${figures.notDoneWithin} s (over ${figures.realtimeOver.toFixed(2)}×)`;
  const composite = results.composite as ReturnType<typeof realtime>;
  const verdict = 'realtime' in composite && composite.realtime <= TARGETS.compositeRealtime ? 'ok' : 'MISSED';
  console.log(`media jobs on a ${minutes}-minute synthesised interview (two tracks, ${r.turns} turns), ${String(results.machine)}, load ${r.loadAtStart!.toFixed(2)} at start`);
  console.log(
    `  inputs                        : cameras VP8 WebM ${CHROME_CAMERA.width}×${CHROME_CAMERA.height} ${CHROME_CAMERA.fps} fps ~${CHROME_CAMERA.kbps} kbps (one minute looped with -c copy), microphones opus WebM 48 kHz 32 kbps`,
  );
  console.log(
    `  ${`composite MP4, ${r.compositeMinutes} min`.padEnd(30)}: ${encode(composite)} realtime (target ≤ ${TARGETS.compositeRealtime}×: ${verdict}), ${r.compositeMiB!.toFixed(0)} MiB; baseline (the candidate's camera alone to H.264): ${encode(results.baseline as ReturnType<typeof realtime>)}`,
  );
  console.log(
    `  decode + VAD, whole interview : ${r.vadSeconds!.toFixed(1)} s for ${(r.audioSeconds! / 60).toFixed(0)} min of audio = ${r.vadRealtime!.toFixed(4)}× realtime (target ≤ ${TARGETS.vadRealtime}×), ${r.segments} segments`,
  );
  if (transcribed) {
    console.log(
      `  pocketsphinx, first ${transcribeMinutes} min/track: ${r.transcriptSeconds!.toFixed(1)} s for ${(r.transcribedSeconds! / 60).toFixed(1)} min = ${r.transcriptRealtime!.toFixed(2)}× realtime (target ≤ ${TARGETS.transcriptRealtime}×)`,
    );
    console.log(`  WER on the test script        : pocketsphinx ${(r.werPocketsphinx! * 100).toFixed(0)} %; OpenAI-compatible and AssemblyAI not measured (unreachable here)`);
    console.log(
      `  peak RSS                      : bench process ${r.benchPeakRssMiB!.toFixed(0)} MiB, composite ffmpeg ${r.compositeFfmpegPeakRssMiB!.toFixed(0)} MiB, pocketsphinx ${r.pocketsphinxPeakRssMiB!.toFixed(0)} MiB`,
    );
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

runBench(budgetMs(values.budget), main);
