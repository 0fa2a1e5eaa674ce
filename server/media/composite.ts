// The composite recording: one MP4 (H.264 + AAC, playable everywhere) per candidate, composed by
// ffmpeg from the separately recorded tracks. The candidate's camera is large, the host's camera a
// small picture-in-picture in its corner, the shared screen beside them when there is one; every
// participant's microphone is mixed. Each track file is placed on the interview clock by its
// offset, so a reconnect's later file continues the same picture and gaps stay black and silent.
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';

export type CompositeRole = 'CANDIDATE_CAMERA' | 'HOST_CAMERA' | 'SCREEN' | 'CANDIDATE_AUDIO' | 'HOST_AUDIO';

/** One recorded file and where it starts on the interview clock; its first stream of the role's kind is used. */
export interface CompositeTrack {
  role: CompositeRole;
  path: string;
  offsetMs: number;
}

export interface CompositeJob {
  ffmpegPath: string;
  tracks: readonly CompositeTrack[];
  /** The interview clock's length: the output lasts exactly this long. */
  durationMs: number;
  output: string;
  /** Called with the share of the output written so far, 0–1, at most a few times a second. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export interface CompositeResult {
  bytes: number;
  durationMs: number;
}

/** The camera area; the screen, when shared, takes an area of the same size on its left. */
const AREA = { width: 960, height: 540 };
const PICTURE_IN_PICTURE = { width: 256, height: 144, margin: 16 };
const FRAME_RATE = 25;
const AUDIO_RATE = 48_000;

const VIDEO_ROLES: Record<'CANDIDATE_CAMERA' | 'HOST_CAMERA' | 'SCREEN', { width: number; height: number }> = {
  SCREEN: AREA,
  CANDIDATE_CAMERA: AREA,
  HOST_CAMERA: PICTURE_IN_PICTURE,
};
/** Drawn bottom to top: the screen, then the candidate's camera, then the host's picture-in-picture over it. */
const DRAW_ORDER = ['SCREEN', 'CANDIDATE_CAMERA', 'HOST_CAMERA'] as const;

function isVideo(role: CompositeRole): role is keyof typeof VIDEO_ROLES {
  return role in VIDEO_ROLES;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** ffmpeg's arguments for the composite: exported for tests and the bench, which read the filter graph. */
export function compositeArguments({ tracks, durationMs, output }: Pick<CompositeJob, 'tracks' | 'durationMs' | 'output'>): string[] {
  if (!(durationMs > 0)) throw new RangeError('A composite needs a positive duration');
  const hasScreen = tracks.some((track) => track.role === 'SCREEN');
  const cameraLeft = hasScreen ? AREA.width : 0;
  const canvas = { width: cameraLeft + AREA.width, height: AREA.height };
  const position: Record<keyof typeof VIDEO_ROLES, { x: number; y: number }> = {
    SCREEN: { x: 0, y: 0 },
    CANDIDATE_CAMERA: { x: cameraLeft, y: 0 },
    HOST_CAMERA: {
      x: cameraLeft + AREA.width - PICTURE_IN_PICTURE.width - PICTURE_IN_PICTURE.margin,
      y: AREA.height - PICTURE_IN_PICTURE.height - PICTURE_IN_PICTURE.margin,
    },
  };

  const inputs: string[] = [];
  const filters: string[] = [`color=c=black:s=${canvas.width}x${canvas.height}:r=${FRAME_RATE}:d=${seconds(durationMs)},format=yuv420p[base0]`];
  const audioLabels: string[] = [];
  let base = 'base0';
  const drawn = (track: CompositeTrack): number => (isVideo(track.role) ? DRAW_ORDER.indexOf(track.role) : DRAW_ORDER.length);
  const ordered = [...tracks].sort((a, b) => drawn(a) - drawn(b));
  for (const [index, track] of ordered.entries()) {
    inputs.push('-i', track.path);
    const offset = seconds(Math.max(0, track.offsetMs));
    if (isVideo(track.role)) {
      const { width, height } = VIDEO_ROLES[track.role];
      const { x, y } = position[track.role];
      // Letterboxed into its area whatever size the browser sent (WebRTC changes resolution on the fly).
      filters.push(
        `[${index}:v:0]setpts=PTS-STARTPTS+${offset}/TB,fps=${FRAME_RATE},scale=${width}:${height}:force_original_aspect_ratio=decrease:force_divisible_by=2,` +
          `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,format=yuv420p[v${index}]`,
      );
      const next = `base${index + 1}`;
      filters.push(`[${base}][v${index}]overlay=${x}:${y}:eof_action=pass[${next}]`);
      base = next;
    } else {
      const delayMs = Math.round(Math.max(0, track.offsetMs));
      filters.push(`[${index}:a:0]asetpts=PTS-STARTPTS,aresample=${AUDIO_RATE}:async=1,adelay=${delayMs}:all=1[a${index}]`);
      audioLabels.push(`[a${index}]`);
    }
  }
  // Silence underneath keeps an audio track of the full length even with no (or short) microphones.
  filters.push(`anullsrc=r=${AUDIO_RATE}:cl=stereo,atrim=duration=${seconds(durationMs)}[silence]`);
  filters.push(`[silence]${audioLabels.join('')}amix=inputs=${audioLabels.length + 1}:duration=first:normalize=0[mix]`);

  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostats',
    '-progress',
    'pipe:1',
    ...inputs,
    '-filter_complex',
    filters.join(';'),
    '-map',
    `[${base}]`,
    '-map',
    '[mix]',
    '-t',
    seconds(durationMs),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '27',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '96k',
    '-movflags',
    '+faststart',
    '-y',
    output,
  ];
}

export class CompositeError extends Error {
  override readonly name = 'CompositeError';
}

/** Runs ffmpeg for the composite; resolves once the MP4 is complete, rejects (CompositeError) if ffmpeg fails or is aborted. */
export async function renderComposite(job: CompositeJob): Promise<CompositeResult> {
  const args = compositeArguments(job);
  await new Promise<void>((resolve, reject) => {
    const ffmpeg = spawn(job.ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'], signal: job.signal });
    let stderr = '';
    let reported = 0;
    ffmpeg.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    ffmpeg.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const written = /out_time_us=(\d+)/g;
      let match: RegExpExecArray | null;
      let latest: number | undefined;
      while ((match = written.exec(chunk))) latest = Number(match[1]) / 1000;
      if (latest === undefined || !job.onProgress) return;
      const fraction = Math.min(1, latest / job.durationMs);
      if (fraction - reported >= 0.01) {
        reported = fraction;
        job.onProgress(fraction);
      }
    });
    ffmpeg.once('error', (error) => reject(new CompositeError(`ffmpeg could not run: ${error.message}`, { cause: error })));
    ffmpeg.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new CompositeError(`ffmpeg failed (${signal ?? `exit ${code}`}): ${stderr.trim() || 'no output'}`));
    });
  });
  job.onProgress?.(1);
  return { bytes: (await stat(job.output)).size, durationMs: job.durationMs };
}
