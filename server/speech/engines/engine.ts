// A transcription engine turns one participant's decoded track into timed text. Engines are
// pluggable: pocketsphinx offline (the default), or a remote service the operator configures.
import type { VoiceSegment } from '../vad.ts';

/** Transcribed speech within one track, in ms from the track's start; confidence in [0, 1]. */
export interface TranscribedSegment {
  startMs: number;
  endMs: number;
  text: string;
  confidence: number;
}

export interface TranscriptionEngine {
  /** Stored with the transcript and shown beside every quote (`pocketsphinx`, `openai`, `assemblyai`). */
  readonly name: string;
  /** Who receives the audio: undefined when it stays on this server (shown on the consent page otherwise). */
  readonly processor: string | undefined;
  /** `wav` is a 16 kHz mono WAV file; `voice` its speech as the detector found it. */
  transcribe(wav: string, voice: VoiceSegment[]): Promise<TranscribedSegment[]>;
}

/** A timed word from an engine that answers word by word. */
export interface TimedWord {
  startMs: number;
  endMs: number;
  word: string;
  confidence: number;
}

/** How far outside a voice segment a word may lie and still belong to it (engines' and the detector's edges differ). */
const WORD_SLACK_MS = 300;

/**
 * Groups words into the detector's voice segments (a word goes to the segment holding its middle,
 * or the nearest within the slack): one transcript segment per turn, its confidence the words' mean.
 */
export function wordsIntoSegments(words: TimedWord[], voice: VoiceSegment[]): TranscribedSegment[] {
  const groups = voice.map(() => [] as TimedWord[]);
  for (const word of words) {
    const middle = (word.startMs + word.endMs) / 2;
    let best = -1;
    let bestDistance = WORD_SLACK_MS;
    voice.forEach((segment, i) => {
      const distance = middle < segment.startMs ? segment.startMs - middle : middle > segment.endMs ? middle - segment.endMs : 0;
      if (distance <= bestDistance) [best, bestDistance] = [i, distance];
    });
    if (best >= 0) groups[best]!.push(word);
  }
  return voice.flatMap((segment, i) => {
    const group = groups[i]!;
    if (group.length === 0) return [];
    const confidence = group.reduce((sum, w) => sum + w.confidence, 0) / group.length;
    return [{ startMs: segment.startMs, endMs: segment.endMs, text: group.map((w) => w.word).join(' '), confidence }];
  });
}
