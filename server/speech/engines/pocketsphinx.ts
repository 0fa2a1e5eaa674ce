// The offline engine: Debian's pocketsphinx 0.8 (`pocketsphinx_continuous`) with its US English
// model, run as a child process per track. `-time yes` prints each recognised word with its start,
// end (seconds from the file's start) and posterior confidence. Roughly a third of words are wrong
// on real speech: good for search and navigation, never quoted as what was said.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { VoiceSegment } from '../vad.ts';
import { wordsIntoSegments, type TimedWord, type TranscribedSegment, type TranscriptionEngine } from './engine.ts';

/** `word start end confidence`, the word possibly with an alternate pronunciation's `(2)`. */
const WORD_LINE = /^(\S+?)(?:\(\d+\))?\s+(\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)$/;
/** Silence, sentence marks and noise tokens: not words. */
const NON_WORD = /^(<.*>|\[.*\]|\+\+.*\+\+)$/;

export class PocketsphinxEngine implements TranscriptionEngine {
  readonly name = 'pocketsphinx';
  readonly processor = undefined;
  readonly #binary: string;

  constructor(binary: string) {
    this.#binary = binary;
  }

  /** The binary's path when it is installed (looked up on PATH unless absolute), else undefined. */
  static locate(binary: string): string | undefined {
    const candidates = isAbsolute(binary) ? [binary] : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, binary));
    return candidates.find((path) => {
      try {
        accessSync(path, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  }

  async transcribe(wav: string, voice: VoiceSegment[]): Promise<TranscribedSegment[]> {
    if (voice.length === 0) return [];
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(this.#binary, ['-infile', wav, '-time', 'yes', '-logfn', '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const chunks: Buffer[] = [];
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`pocketsphinx exited ${code}: ${stderr.trim() || 'no message'}`)),
      );
    });
    return wordsIntoSegments(parseWords(output), voice);
  }
}

export function parseWords(output: string): TimedWord[] {
  return output.split('\n').flatMap((line) => {
    const match = WORD_LINE.exec(line.trim());
    if (!match || NON_WORD.test(match[1]!)) return [];
    return [{ word: match[1]!, startMs: Math.round(Number(match[2]) * 1000), endMs: Math.round(Number(match[3]) * 1000), confidence: Math.min(1, Number(match[4])) }];
  });
}
