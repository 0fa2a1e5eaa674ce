// A track's speech in pieces for an engine that limits its uploads (OpenAI's endpoint refuses
// files over 25 MiB: 13 minutes of 16 kHz WAV). Only the detector's voice segments are sent, each
// with a short margin: a chunk holds as many whole segments as fit under the limit (a segment
// longer than the limit alone is cut at the limit), with the pauses between them silenced and
// shortened. Each chunk turns a time on its own clock back into a time on the track's.
import { SAMPLE_RATE, WAV_HEADER_BYTES, wavBytes } from '../audio.ts';
import type { VoiceSegment } from '../vad.ts';

/** Audio kept either side of a voice segment: the detector's edges may clip a soft first or last sound. */
export const SPEECH_MARGIN_MS = 200;
/** The longest pause left between two stretches of speech in a chunk: the engine still hears a turn end there. */
const MAX_PAUSE_SAMPLES = SAMPLE_RATE;

/** A run of the track's samples within a chunk. */
interface Stretch {
  trackStart: number;
  chunkStart: number;
  length: number;
}

export class SpeechChunk {
  readonly #track: Int16Array;
  readonly #stretches: Stretch[];
  readonly #length: number;

  constructor(track: Int16Array, stretches: Stretch[], length: number) {
    this.#track = track;
    this.#stretches = stretches;
    this.#length = length;
  }

  /** The chunk as a 16 kHz mono WAV file: its stretches of the track, silence between them. */
  wav(): Buffer<ArrayBuffer> {
    const samples = new Int16Array(this.#length);
    for (const s of this.#stretches) samples.set(this.#track.subarray(s.trackStart, s.trackStart + s.length), s.chunkStart);
    return wavBytes(samples);
  }

  /** A time on the chunk's clock (ms) placed on the track's: a pause holds no speech, so an edge within one moves to the speech. */
  trackMs(chunkMs: number, edge: 'start' | 'end'): number {
    const at = (chunkMs * SAMPLE_RATE) / 1000;
    return Math.round(((edge === 'start' ? this.#startAt(at) : this.#endAt(at)) * 1000) / SAMPLE_RATE);
  }

  /** A start belongs to the speech from its instant on: the next stretch's start when it falls in a pause. */
  #startAt(at: number): number {
    const next = this.#stretches.find((s) => at < s.chunkStart + s.length);
    if (!next) return this.#endAt(at);
    return next.trackStart + Math.max(0, at - next.chunkStart);
  }

  /** An end belongs to the speech up to its instant: the previous stretch's end when it falls in a pause. */
  #endAt(at: number): number {
    const previous = this.#stretches.findLast((s) => at > s.chunkStart);
    if (!previous) return this.#stretches[0]!.trackStart;
    return previous.trackStart + Math.min(previous.length, at - previous.chunkStart);
  }
}

/** The chunks of `track`'s speech, in order, each a WAV file of at most `maxBytes`. */
export function speechChunks(track: Int16Array, voice: VoiceSegment[], maxBytes: number): SpeechChunk[] {
  const maxSamples = Math.floor((maxBytes - WAV_HEADER_BYTES) / 2);
  if (maxSamples < SAMPLE_RATE) throw new Error(`an upload limit of ${maxBytes} bytes holds less than a second of audio`);
  const chunks: SpeechChunk[] = [];
  let stretches: Stretch[] = [];
  let length = 0;
  let previousEnd = 0;
  for (const piece of speechPieces(track.length, voice, maxSamples)) {
    const pause = Math.min(piece.start - previousEnd, MAX_PAUSE_SAMPLES);
    if (stretches.length > 0 && length + pause + piece.length > maxSamples) {
      chunks.push(new SpeechChunk(track, stretches, length));
      stretches = [];
      length = 0;
    }
    const chunkStart = stretches.length === 0 ? 0 : length + pause;
    stretches.push({ trackStart: piece.start, chunkStart, length: piece.length });
    length = chunkStart + piece.length;
    previousEnd = piece.start + piece.length;
  }
  if (stretches.length > 0) chunks.push(new SpeechChunk(track, stretches, length));
  return chunks;
}

/** The voice segments with their margins as sample ranges: overlapping ones merged, none longer than `maxSamples`. */
function speechPieces(trackLength: number, voice: VoiceSegment[], maxSamples: number): { start: number; length: number }[] {
  const ranges: { start: number; end: number }[] = [];
  for (const segment of voice.toSorted((a, b) => a.startMs - b.startMs)) {
    const start = Math.max(0, Math.floor(((segment.startMs - SPEECH_MARGIN_MS) * SAMPLE_RATE) / 1000));
    const end = Math.min(trackLength, Math.ceil(((segment.endMs + SPEECH_MARGIN_MS) * SAMPLE_RATE) / 1000));
    const last = ranges.at(-1);
    if (end <= start) continue;
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else ranges.push({ start, end });
  }
  return ranges.flatMap(({ start, end }) => {
    const pieces: { start: number; length: number }[] = [];
    for (let at = start; at < end; at += maxSamples) pieces.push({ start: at, length: Math.min(maxSamples, end - at) });
    return pieces;
  });
}
