// A synthetic interview for the speech tests and bench: espeak-ng speaks the host's lines in one
// voice and the candidate's in another, each into its own 16 kHz mono track, at known times. The
// truth (who speaks when, and what) is known to the millisecond: espeak's own leading and
// trailing silence is measured off each line.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { wavBytes } from '../../server/speech/audio.ts';

export const SAMPLE_RATE = 16_000;

export interface SpokenTurn {
  speaker: 'HOST' | 'CANDIDATE';
  text: string;
  /** Where the voice starts and stops, in ms on the interview clock. */
  startMs: number;
  endMs: number;
}

export interface SyntheticInterview {
  turns: SpokenTurn[];
  /** One WAV file per speaker, both starting at 0 on the interview clock. */
  hostWav: string;
  candidateWav: string;
  durationMs: number;
}

export const HOST_VOICE = 'en-us+m3';
export const CANDIDATE_VOICE = 'en-gb+f3';

/** A short exchange: questions from the host, answers from the candidate. */
export const SCRIPT: { speaker: 'HOST' | 'CANDIDATE'; text: string }[] = [
  { speaker: 'HOST', text: 'Hello and welcome. Can you tell me about your last project?' },
  { speaker: 'CANDIDATE', text: 'Sure. I built a payment service that handled thousands of orders every day.' },
  { speaker: 'HOST', text: 'What was the hardest problem you solved there?' },
  { speaker: 'CANDIDATE', text: 'The hardest part was keeping the ledger consistent when the network failed.' },
  { speaker: 'HOST', text: 'How did you test that?' },
  { speaker: 'CANDIDATE', text: 'We replayed real traffic against a copy of the database and compared the totals.' },
  { speaker: 'HOST', text: 'Thank you. Do you have any questions for us?' },
  { speaker: 'CANDIDATE', text: 'Yes. How large is the team I would join?' },
];

/** Speaks `text` in `voice` into 16 kHz samples, without espeak's leading and trailing silence. */
export async function speak(text: string, voice: string): Promise<Int16Array> {
  const wav = await new Promise<Buffer>((resolve, reject) => {
    const child = spawn('espeak-ng', ['-v', voice, '-s', '150', '--stdout', text], { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`espeak-ng exited ${code}`))));
  });
  const rate = wav.readUInt32LE(24);
  const dataAt = wav.indexOf('data', 12, 'ascii') + 8;
  const source = new Int16Array(wav.buffer.slice(wav.byteOffset + dataAt, wav.byteOffset + (wav.length & ~1)));
  // Linear resampling is plenty for speech detection and recognition.
  const length = Math.floor((source.length * SAMPLE_RATE) / rate);
  const samples = new Int16Array(length);
  for (let i = 0; i < length; i++) {
    const at = (i * rate) / SAMPLE_RATE;
    const j = Math.floor(at);
    const next = source[Math.min(j + 1, source.length - 1)]!;
    samples[i] = Math.round(source[j]! + (next - source[j]!) * (at - j));
  }
  const loud = (s: number) => Math.abs(s) > 300;
  const first = samples.findIndex(loud);
  const last = samples.findLastIndex(loud);
  return first < 0 ? samples.subarray(0, 0) : samples.subarray(first, last + 1);
}

/**
 * Writes the two tracks of `script` into `dir`: turns follow each other with `gapMs` of silence
 * (a pause, or an overlap when negative), after `leadMs`; the script repeats until `minDurationMs`.
 * `noise` adds white noise of that amplitude (of 32767) to both tracks.
 */
export async function synthesiseInterview(
  dir: string,
  options: { script?: typeof SCRIPT; gapMs?: number; leadMs?: number; minDurationMs?: number; noise?: number } = {},
): Promise<SyntheticInterview> {
  const script = options.script ?? SCRIPT;
  const gapMs = options.gapMs ?? 800;
  const spoken = await Promise.all(script.map((line) => speak(line.text, line.speaker === 'HOST' ? HOST_VOICE : CANDIDATE_VOICE)));
  const turns: SpokenTurn[] = [];
  let at = options.leadMs ?? 1000;
  do {
    script.forEach((line, i) => {
      const lengthMs = Math.round((spoken[i]!.length * 1000) / SAMPLE_RATE);
      turns.push({ speaker: line.speaker, text: line.text, startMs: at, endMs: at + lengthMs });
      at += lengthMs + gapMs;
    });
  } while (at < (options.minDurationMs ?? 0));
  const durationMs = at + 1000;
  const tracks = { HOST: new Int16Array((durationMs * SAMPLE_RATE) / 1000), CANDIDATE: new Int16Array((durationMs * SAMPLE_RATE) / 1000) };
  turns.forEach((turn, i) => tracks[turn.speaker].set(spoken[i % script.length]!, (turn.startMs * SAMPLE_RATE) / 1000));
  if (options.noise) for (const track of Object.values(tracks)) addNoise(track, options.noise);
  const hostWav = join(dir, 'host.wav');
  const candidateWav = join(dir, 'candidate.wav');
  await writeFile(hostWav, wavBytes(tracks.HOST));
  await writeFile(candidateWav, wavBytes(tracks.CANDIDATE));
  return { turns, hostWav, candidateWav, durationMs };
}

function addNoise(track: Int16Array, amplitude: number): void {
  for (let i = 0; i < track.length; i++) track[i] = Math.max(-32768, Math.min(32767, track[i]! + Math.round((Math.random() * 2 - 1) * amplitude)));
}
