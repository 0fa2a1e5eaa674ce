// Fake cameras for headless Chromium: a .y4m clip made with ffmpeg from one of the face
// pictures in shared/data/faces (beside the clone), cached in the temp dir between runs.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const FACES_DIR = process.env.PROCTOR_TEST_FACES_DIR ?? fileURLToPath(new URL('../../../shared/data/faces/', import.meta.url));
const CACHE = join(tmpdir(), 'proctor-fake-cameras');

export type Picture = 'one-face' | 'two-faces' | 'no-face-cat' | 'no-face-coffee';

/** A 640×480, 10 fps, 1 s clip of the picture (Chromium loops it). */
export async function fakeCamera(picture: Picture): Promise<string> {
  const out = join(CACHE, `${picture}.y4m`);
  if (existsSync(out)) return out;
  await mkdir(CACHE, { recursive: true });
  const partial = `${out}.${process.pid}.part.y4m`;
  await promisify(execFile)('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-i', join(FACES_DIR, `${picture}.png`),
    '-vf', 'scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2',
    '-t', '1', '-r', '10', '-pix_fmt', 'yuv420p', partial,
  ]);
  await rename(partial, out);
  return out;
}

/**
 * A fake microphone that sounds enough like speech for voice activity: two gliding tones with a
 * syllable rhythm (4–5 Hz). A steady tone would not do: the browser's noise suppression removes it.
 */
const SPEECH_LIKE =
  "aevalsrc='0.4*sin(2*PI*(180+60*sin(2*PI*0.7*t))*t)*(0.55+0.45*sin(2*PI*4*t))+0.3*sin(2*PI*(900+300*sin(2*PI*0.3*t))*t)*(0.5+0.5*sin(2*PI*5*t))':s=48000:d=10";

export async function fakeVoice(): Promise<string> {
  const out = join(CACHE, 'speech-like.wav');
  if (existsSync(out)) return out;
  await mkdir(CACHE, { recursive: true });
  const partial = `${out}.${process.pid}.part.wav`;
  await promisify(execFile)('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', SPEECH_LIKE, '-ac', '1', partial]);
  await rename(partial, out);
  return out;
}
