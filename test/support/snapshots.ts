// Real JPEG evidence snapshots for tests and benches, made by ffmpeg's test pattern (ffmpeg is
// installed by .ci/run): one ffmpeg run writes them all.
import { execFile } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Writes `count` JPEGs (320×180 unless `size` says otherwise) into `dir` and returns their paths, in order. */
export async function makeJpegs(dir: string, count: number, size = '320x180'): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  await run('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=10`, '-frames:v', String(count), '-q:v', '6', join(dir, 'frame-%05d.jpg')]);
  return (await readdir(dir))
    .filter((name) => name.startsWith('frame-'))
    .sort()
    .map((name) => join(dir, name));
}
