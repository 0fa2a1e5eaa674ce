// Recorded tracks for the media benches, made cheaply but shaped like the real ones: a camera as
// Chrome sends it under the client's 600 kbps cap and the recorder stores it (-c copy into WebM),
// and a microphone as opus in WebM. An hour of camera is one minute encoded, then repeated by
// ffmpeg's concat demuxer with -c copy (the timestamps run on from file to file), so the hour costs
// a minute's encode; what reads it still decodes an hour of VP8 at the camera's bitrate. Files are
// kept in the temp dir under their parameters and checked with ffprobe before they are reused.
import { execFile } from 'node:child_process';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Limit, seconds } from './limits.ts';
import { ownChild } from './run.ts';

export const CACHE_DIR = join(tmpdir(), 'proctor-bench-media');

export interface CameraShape {
  /** An ffmpeg lavfi test pattern: different ones tell the cameras apart in the composite. */
  pattern: 'testsrc' | 'testsrc2';
  width: number;
  height: number;
  fps: number;
  kbps: number;
}

/** getUserMedia's default camera in Chrome, at about the bitrate the client's 600 kbps cap lets through. */
export const CHROME_CAMERA = { width: 640, height: 480, fps: 30, kbps: 500 } as const;

const SEGMENT_SECONDS = 60;
/** A file within this of its intended length counts as made right. */
const DURATION_TOLERANCE_SECONDS = 1;
const ENCODE_TIMEOUT_MS = 600_000;
const COPY_TIMEOUT_MS = 120_000;

/** `minutes` of `shape`'s camera as a VP8 WebM, cached. */
export async function loopedCamera(shape: CameraShape, minutes: number, signal: AbortSignal): Promise<string> {
  const name = `camera-${shape.pattern}-${shape.width}x${shape.height}-${shape.fps}fps-${shape.kbps}k`;
  const target = minutes * 60;
  const cached = join(CACHE_DIR, `${name}-${minutes}min.webm`);
  if (await lasts(cached, target, signal)) return cached;
  await mkdir(CACHE_DIR, { recursive: true });
  const segment = join(CACHE_DIR, `${name}-${SEGMENT_SECONDS}s.webm`);
  if (!(await lasts(segment, SEGMENT_SECONDS, signal))) {
    await ffmpeg(
      [
        '-f',
        'lavfi',
        // Sensor noise on every frame: without it a test pattern compresses to a fraction of the
        // bitrate a real camera spends, and the composite would decode far less than it does.
        '-i',
        `${shape.pattern}=s=${shape.width}x${shape.height}:r=${shape.fps},noise=alls=12:allf=t`,
        '-t',
        String(SEGMENT_SECONDS),
        '-c:v',
        'libvpx',
        '-deadline',
        'realtime',
        '-cpu-used',
        '8',
        '-b:v',
        `${shape.kbps}k`,
        // WebRTC sends a key frame at the start and then only when asked for one.
        '-g',
        String(SEGMENT_SECONDS * shape.fps),
        '-f',
        'webm',
        `${segment}.partial`,
      ],
      `encoding ${SEGMENT_SECONDS} s of ${name}`,
      ENCODE_TIMEOUT_MS,
      signal,
    );
    await rename(`${segment}.partial`, segment);
  }
  const list = join(CACHE_DIR, `${name}-${minutes}min.txt`);
  await writeFile(list, `file '${segment}'\n`.repeat(Math.ceil(target / SEGMENT_SECONDS)));
  await ffmpeg(['-f', 'concat', '-safe', '0', '-i', list, '-t', String(target), '-c', 'copy', '-f', 'webm', `${cached}.partial`], `looping ${name}`, COPY_TIMEOUT_MS, signal);
  await rm(list);
  await settle(`${cached}.partial`, cached, target, signal);
  return cached;
}

/** `wav` as opus in WebM (48 kHz mono, 32 kbps, as Chrome sends a microphone), cached under `name`. */
export async function opusMicrophone(wav: string, name: string, durationSeconds: number, signal: AbortSignal): Promise<string> {
  const cached = join(CACHE_DIR, `${name}.webm`);
  if (await lasts(cached, durationSeconds, signal)) return cached;
  await mkdir(CACHE_DIR, { recursive: true });
  // Compression level 0: the encoder's effort changes nothing for a reader, and it is 6× faster.
  await ffmpeg(
    ['-i', wav, '-ar', '48000', '-ac', '1', '-c:a', 'libopus', '-b:a', '32k', '-compression_level', '0', '-f', 'webm', `${cached}.partial`],
    `encoding ${name} as opus`,
    ENCODE_TIMEOUT_MS,
    signal,
  );
  await settle(`${cached}.partial`, cached, durationSeconds, signal);
  return cached;
}

/** Keeps `partial` as `path` once ffprobe reads the length it should have. */
async function settle(partial: string, path: string, durationSeconds: number, signal: AbortSignal): Promise<void> {
  const duration = await probedDuration(partial, signal);
  // A track that does not last its time would measure something else than the bench says.
  if (!(Math.abs(duration - durationSeconds) <= DURATION_TOLERANCE_SECONDS)) throw new Error(`${partial} lasts ${duration} s, not ${durationSeconds} s`);
  await rename(partial, path);
}

async function lasts(path: string, durationSeconds: number, signal: AbortSignal): Promise<boolean> {
  if (!(await stat(path).catch(() => undefined))) return false;
  return Math.abs((await probedDuration(path, signal)) - durationSeconds) <= DURATION_TOLERANCE_SECONDS;
}

/** The file's duration in seconds as ffprobe reads it, NaN when it has none; ffprobe's complaints fail it. */
async function probedDuration(path: string, signal: AbortSignal): Promise<number> {
  const { stdout, stderr } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], `probing ${path}`, COPY_TIMEOUT_MS, signal);
  if (stderr.trim()) throw new Error(`ffprobe finds errors in ${path}: ${stderr.trim()}`);
  return Number.parseFloat(stdout);
}

async function ffmpeg(args: string[], what: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], what, timeoutMs, signal);
}

/** Runs `program` to its end; killed at `timeoutMs` (a Limit naming `what`) or when `signal` aborts (its reason). */
export function run(program: string, args: string[], what: string, timeoutMs: number, signal: AbortSignal): Promise<{ stdout: string; stderr: string }> {
  const deadline = AbortSignal.timeout(timeoutMs);
  return new Promise((resolve, reject) => {
    ownChild(
      execFile(program, args, { signal: AbortSignal.any([signal, deadline]), maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (signal.aborted) reject(signal.reason);
        else if (deadline.aborted) reject(new Limit('ack timeout', `${what}: not done within ${seconds(timeoutMs)}`));
        else if (error) reject(new Error(`${what}: ${stderr.trim() || error.message}`, { cause: error }));
        else resolve({ stdout, stderr });
      }),
    );
  });
}
