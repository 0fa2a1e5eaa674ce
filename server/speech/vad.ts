// Voice activity detection with libfvad (WebRTC's detector, 35 KB of WASM: @echogarden/fvad-wasm).
// Chosen over Silero (onnxruntime-node, 288 MB installed, a postinstall that downloads from
// outside) by measurement: on the test interviews both find every turn within 0.1 s; fvad's one
// weakness, splitting a noisy turn at short dips, is closed here by bridging pauses shorter than
// `bridgeMs`. See notes/speech.md for the figures.
import fvad, { type FvadModule } from '@echogarden/fvad-wasm';
import { SAMPLE_RATE } from './audio.ts';

/** A stretch of speech within one track, in ms from the track's start. */
export interface VoiceSegment {
  startMs: number;
  endMs: number;
}

export interface VadOptions {
  /** libfvad's aggressiveness, 0 (keeps most audio as speech) to 3 (keeps least). */
  mode: 0 | 1 | 2 | 3;
  /** Pauses shorter than this within one speaker's speech do not end the segment. */
  bridgeMs: number;
  /** Segments shorter than this (a cough, a click) are dropped. */
  minSpeechMs: number;
}

export const DEFAULT_VAD: VadOptions = { mode: 3, bridgeMs: 600, minSpeechMs: 250 };

const FRAME_MS = 30;
const FRAME_SAMPLES = (SAMPLE_RATE * FRAME_MS) / 1000;

let loaded: Promise<FvadModule> | undefined;

/** The speech segments of 16 kHz mono samples. */
export async function detectVoice(samples: Int16Array, options: VadOptions = DEFAULT_VAD): Promise<VoiceSegment[]> {
  const module = await (loaded ??= fvad());
  const handle = module._fvad_new();
  const frame = module._malloc(FRAME_SAMPLES * 2);
  try {
    if (module._fvad_set_mode(handle, options.mode) !== 0 || module._fvad_set_sample_rate(handle, SAMPLE_RATE) !== 0) throw new Error('libfvad refused its settings');
    const raw: VoiceSegment[] = [];
    let openedAt: number | undefined;
    const frames = Math.floor(samples.length / FRAME_SAMPLES);
    for (let i = 0; i < frames; i++) {
      // HEAP16 may be replaced when WASM memory grows: read it each time.
      module.HEAP16.set(samples.subarray(i * FRAME_SAMPLES, (i + 1) * FRAME_SAMPLES), frame >> 1);
      const voiced = module._fvad_process(handle, frame, FRAME_SAMPLES);
      if (voiced < 0) throw new Error('libfvad could not process a frame');
      if (voiced === 1 && openedAt === undefined) openedAt = i * FRAME_MS;
      if (voiced === 0 && openedAt !== undefined) {
        raw.push({ startMs: openedAt, endMs: i * FRAME_MS });
        openedAt = undefined;
      }
    }
    if (openedAt !== undefined) raw.push({ startMs: openedAt, endMs: frames * FRAME_MS });
    return smooth(raw, options);
  } finally {
    module._free(frame);
    module._fvad_free(handle);
  }
}

/** Bridges short pauses, then drops what is too short to be speech. */
export function smooth(segments: VoiceSegment[], { bridgeMs, minSpeechMs }: Pick<VadOptions, 'bridgeMs' | 'minSpeechMs'>): VoiceSegment[] {
  const bridged: VoiceSegment[] = [];
  for (const segment of segments) {
    const last = bridged.at(-1);
    if (last && segment.startMs - last.endMs < bridgeMs) last.endMs = segment.endMs;
    else bridged.push({ ...segment });
  }
  return bridged.filter((s) => s.endMs - s.startMs >= minSpeechMs);
}
