// Recordings as the review page seeks them. ffmpeg writing from live RTP leaves a WebM without a
// duration (probed: `format=duration` N/A), which a browser cannot seek; the first playback of a
// finished file makes a seekable copy beside it (`-c copy`: no re-encode, about a second for an
// hour at interview bitrates) and serves that from then on. The original is never touched: it is
// the evidence, and its own writer may hold it open.
import { execFile } from 'node:child_process';
import { rename, rm, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { RecordingStore } from './recording-store.ts';

/** Longest a remux may take before the original is served instead. */
const REMUX_TIMEOUT_MS = 120_000;

export class SeekableRecordings {
  readonly #store: RecordingStore;
  readonly #ffmpegPath: string | undefined;
  readonly #remuxing = new Map<string, Promise<string>>();

  constructor(store: RecordingStore, ffmpegPath: string | undefined) {
    this.#store = store;
    this.#ffmpegPath = ffmpegPath;
  }

  /** The file to serve for `path`: its seekable copy once it is finished, else the original. */
  async of(path: string): Promise<string> {
    const copy = `${path}.seekable${extname(path)}`;
    const [original, existing] = await Promise.all([stat(path).catch(() => undefined), stat(copy).catch(() => undefined)]);
    if (!original) return path;
    if (existing && existing.mtimeMs >= original.mtimeMs) return copy;
    if (!this.#ffmpegPath || !(await this.#finished(path))) return path;
    let remux = this.#remuxing.get(path);
    if (!remux) {
      remux = this.#remux(this.#ffmpegPath, path, copy).finally(() => this.#remuxing.delete(path));
      this.#remuxing.set(path, remux);
    }
    return remux;
  }

  /** Whether the recorder has finalized the file (its row's end time is set). */
  async #finished(path: string): Promise<boolean> {
    return (await this.#store.endedAt(path)) !== undefined;
  }

  async #remux(ffmpegPath: string, path: string, copy: string): Promise<string> {
    const partial = `${copy}.partial`;
    const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', path, '-map', '0', '-c', 'copy', '-f', extname(path) === '.webm' ? 'webm' : 'matroska', '-y', partial];
    const done = await new Promise<boolean>((resolve) => execFile(ffmpegPath, args, { timeout: REMUX_TIMEOUT_MS }, (error) => resolve(!error)));
    if (!done) {
      await rm(partial, { force: true });
      return path;
    }
    await rename(partial, copy);
    return copy;
  }
}
