// The composite recording's ffmpeg run on real files: tracks made by ffmpeg itself (VP8 and Opus in
// WebM, as the SFU records them), placed on the interview clock, read back with ffprobe and by
// sampling pixels and audio of the MP4.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compositeArguments, CompositeError, renderComposite, type CompositeTrack } from '../server/media/composite.ts';

const run = promisify(execFile);

async function makeTrack(directory: string, name: string, source: string, codec: string[]): Promise<string> {
  const path = join(directory, `${name}.webm`);
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', source, ...codec, path]);
  return path;
}

/** The average colour of a small patch of the frame at `seconds`, as [r, g, b]. */
async function colourAt(path: string, seconds: number, x: number, y: number): Promise<number[]> {
  const { stdout } = await run(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-ss',
      String(seconds),
      '-i',
      path,
      '-frames:v',
      '1',
      '-vf',
      `crop=8:8:${x}:${y},scale=1:1`,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ],
    { encoding: 'buffer' },
  );
  return [...stdout.subarray(0, 3)];
}

/** The audio's RMS level (dB) over one second from `seconds`. */
async function loudnessAt(path: string, seconds: number): Promise<number> {
  const { stderr } = await run('ffmpeg', ['-hide_banner', '-ss', String(seconds), '-t', '1', '-i', path, '-af', 'astats=metadata=0', '-f', 'null', '-']);
  const level = /RMS level dB:\s*(-?[\d.]+|-inf)/.exec(stderr.split('Overall')[1] ?? '');
  return level?.[1] === '-inf' || !level ? -Infinity : Number(level[1]);
}

const isRed = ([r, g, b]: number[]) => r! > 180 && g! < 80 && b! < 80;
const isBlue = ([r, g, b]: number[]) => b! > 180 && r! < 80 && g! < 80;
const isGreen = ([r, g, b]: number[]) => g! > 100 && r! < 80 && b! < 80;
const isBlack = ([r, g, b]: number[]) => r! < 30 && g! < 30 && b! < 30;

describe('composite recording (ffmpeg)', function () {
  this.timeout(180_000);
  let directory: string;
  const vp8 = ['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '100k'];
  const opus = ['-c:a', 'libopus'];

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'proctor-composite-'));
  });
  after(() => rm(directory, { recursive: true, force: true }));

  it('places every track on the interview clock: camera large, host picture-in-picture, screen beside, microphones mixed', async () => {
    const candidate = await makeTrack(directory, 'candidate', 'color=c=green:s=320x240:r=15:d=4', vp8);
    const reconnected = await makeTrack(directory, 'candidate-2', 'color=c=green:s=640x480:r=15:d=2', vp8);
    const host = await makeTrack(directory, 'host', 'color=c=red:s=320x180:r=15:d=3', vp8);
    const screen = await makeTrack(directory, 'screen', 'color=c=blue:s=1280x720:r=5:d=3', vp8);
    const candidateMic = await makeTrack(directory, 'candidate-mic', 'sine=f=440:d=2', opus);
    const hostMic = await makeTrack(directory, 'host-mic', 'sine=f=880:d=1', opus);
    const tracks: CompositeTrack[] = [
      { role: 'CANDIDATE_CAMERA', path: candidate, offsetMs: 0 },
      { role: 'CANDIDATE_CAMERA', path: reconnected, offsetMs: 7000 },
      { role: 'HOST_CAMERA', path: host, offsetMs: 1000 },
      { role: 'SCREEN', path: screen, offsetMs: 2000 },
      { role: 'CANDIDATE_AUDIO', path: candidateMic, offsetMs: 0 },
      { role: 'HOST_AUDIO', path: hostMic, offsetMs: 5000 },
    ];
    const output = join(directory, 'composite.mp4');
    const progress: number[] = [];
    const result = await renderComposite({ ffmpegPath: 'ffmpeg', tracks, durationMs: 10_000, output, onProgress: (fraction) => progress.push(fraction) });

    const probe = JSON.parse((await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height:format=duration', '-of', 'json', output])).stdout);
    assert.deepEqual(
      probe.streams.map((s: { codec_name: string }) => s.codec_name),
      ['h264', 'aac'],
    );
    assert.equal(probe.streams[0].width, 1920, 'the screen beside the camera');
    assert.equal(probe.streams[0].height, 540);
    assert.ok(Math.abs(Number(probe.format.duration) - 10) < 0.5, `duration ${probe.format.duration}`);
    assert.ok(result.bytes > 0);
    assert.equal(progress.at(-1), 1);
    assert.ok(
      progress.every((value, i) => i === 0 || value >= progress[i - 1]!),
      'progress only grows',
    );

    const camera = { x: 960 + 480, y: 100 };
    const pictureInPicture = { x: 1920 - 16 - 128, y: 540 - 16 - 72 };
    const screenArea = { x: 480, y: 270 };
    assert.ok(isGreen(await colourAt(output, 0.5, camera.x, camera.y)), "the candidate's camera from t=0");
    assert.ok(isGreen(await colourAt(output, 0.5, pictureInPicture.x, pictureInPicture.y)), "no host before they joined: the candidate's camera there");
    assert.ok(isBlack(await colourAt(output, 0.5, screenArea.x, screenArea.y)), 'no screen before it was shared');
    assert.ok(isRed(await colourAt(output, 2.5, pictureInPicture.x, pictureInPicture.y)), "the host's camera over the candidate's corner");
    assert.ok(isGreen(await colourAt(output, 2.5, camera.x, camera.y)));
    assert.ok(isBlue(await colourAt(output, 3.5, screenArea.x, screenArea.y)), 'the screen on the left');
    assert.ok(isBlack(await colourAt(output, 6, camera.x, camera.y)), 'a black gap while the candidate was away');
    assert.ok(isGreen(await colourAt(output, 8, camera.x, camera.y)), 'the reconnect continues the same picture');

    assert.ok((await loudnessAt(output, 0.5)) > -30, "the candidate's microphone at the start");
    assert.ok((await loudnessAt(output, 3)) < -60, 'silence between the turns');
    assert.ok((await loudnessAt(output, 5)) > -30, "the host's microphone mixed in");
  });

  it('without a screen the picture is the camera alone, and with no microphone the audio is silent but present', async () => {
    const candidate = await makeTrack(directory, 'alone', 'color=c=green:s=320x240:r=15:d=2', vp8);
    const output = join(directory, 'alone.mp4');
    await renderComposite({ ffmpegPath: 'ffmpeg', tracks: [{ role: 'CANDIDATE_CAMERA', path: candidate, offsetMs: 0 }], durationMs: 3000, output });
    const probe = JSON.parse((await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', output])).stdout);
    assert.deepEqual(
      probe.streams.map((s: { codec_name: string; width?: number }) => [s.codec_name, s.width]),
      [
        ['h264', 960],
        ['aac', undefined],
      ],
    );
    assert.equal(await loudnessAt(output, 1), -Infinity);
  });

  it('a broken track file fails with a CompositeError naming ffmpeg', async () => {
    const output = join(directory, 'broken.mp4');
    await assert.rejects(
      renderComposite({ ffmpegPath: 'ffmpeg', tracks: [{ role: 'CANDIDATE_CAMERA', path: join(directory, 'missing.webm'), offsetMs: 0 }], durationMs: 1000, output }),
      (error: unknown) => error instanceof CompositeError && /ffmpeg failed/.test(error.message),
    );
    assert.throws(() => compositeArguments({ tracks: [], durationMs: 0, output }), RangeError);
  });
});
