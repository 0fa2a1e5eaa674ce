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
