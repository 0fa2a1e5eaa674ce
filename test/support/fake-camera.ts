// Fake cameras for headless Chromium: a .y4m clip made with ffmpeg from one of the face
// pictures in test/fixtures/faces, cached in the temp dir between runs.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const FACES_DIR = fileURLToPath(new URL('../fixtures/faces/', import.meta.url));
const CACHE = join(tmpdir(), 'proctor-fake-cameras');

export type Picture = 'one-face' | 'two-faces' | 'no-face-cat' | 'no-face-coffee';

/** A 640×480, 10 fps, 1 s clip of one of the test pictures (Chromium loops it). */
export async function fakeCamera(picture: Picture): Promise<string> {
  const out = join(CACHE, `${picture}.y4m`);
  return existsSync(out) ? out : cameraClip(join(FACES_DIR, `${picture}.png`), out);
}

/** Turns any picture into such a clip at `out`; written aside and renamed, so a concurrent reader never sees half a file. */
export async function cameraClip(picture: string, out: string): Promise<string> {
  await mkdir(dirname(out), { recursive: true });
  const partial = `${out}.${process.pid}.part.y4m`;
  await promisify(execFile)('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-loop',
    '1',
    '-i',
    picture,
    '-vf',
    'scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2',
    '-t',
    '1',
    '-r',
    '10',
    '-pix_fmt',
    'yuv420p',
    partial,
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
