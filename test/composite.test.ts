// The composite recording: ffmpeg's run on real files (tracks made by ffmpeg itself, VP8 and Opus in
// WebM as the SFU records them, placed on the interview clock, read back with ffprobe and by
// sampling pixels and audio of the MP4), and the job behind the API on a real server: PENDING when
// the interview ends, READY with progress, the signed download with byte ranges, recording.ready,
// and org isolation. test/recording.test.ts records real tracks through the SFU.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compositeArguments, CompositeError, renderComposite, type CompositeTrack } from '../server/media/composite.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { runInterview } from './support/interview-flow.ts';
import { END_INTERVIEW } from './support/host-operations.ts';
import { databaseAgnostic, describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { until } from './support/until.ts';
import { startReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

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

const vp8 = ['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '100k'];
const opus = ['-c:a', 'libopus'];

describe('composite recording (ffmpeg)', function () {
  this.timeout(180_000);
  let directory: string;

  before(async function () {
    databaseAgnostic(this); // ffmpeg on files: no database involved
    directory = await mkdtemp(join(tmpdir(), 'proctor-composite-'));
  });
  after(() => directory && rm(directory, { recursive: true, force: true }));

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

describe(`composite recording job (${describeDatabase()})`, function () {
  this.timeout(180_000);
  let server: TestPlatform;
  let host: GraphQLClient;
  let hook: WebhookReceiver;
  const COMPOSITE = `query($interviewId: ID!, $candidateId: ID!) {
    recording(interviewId: $interviewId, candidateId: $candidateId) { composite { id status progress attempts error durationMs bytes downloadUrl downloadUrlExpiresAt } }
  }`;

  before(async () => {
    server = await startTestPlatform({}, { PROCTOR_WEBHOOK_ALLOW_PRIVATE: 'true', PROCTOR_JOB_RETRY_DELAY: '100ms', PROCTOR_JOB_ATTEMPTS: '2' });
    ({ client: host } = await signUp(new GraphQLClient(server.url)));
    hook = await startReceiver();
    await host.ok('mutation($url: String!) { createWebhook(url: $url, events: [RECORDING_READY]) { webhook { id } } }', { url: hook.url });
  });
  after(async () => {
    await hook?.close();
    await server?.stop();
  });

  /** Tracks as the recorder leaves them: files under the interview's recordings dir, rows on its clock. */
  async function recordTracks(
    interviewId: string,
    candidateId: string,
    tracks: { participant: string; kind: string; source: string; codec: string[]; startMs: number; endMs: number }[],
  ) {
    const directory = join(server.env.PROCTOR_DATA_DIR!, 'recordings', interviewId);
    await mkdir(directory, { recursive: true });
    const clock = Date.now() - 60_000;
    const sql = server.platform.orm.em.getConnection();
    await sql.execute('update interviews set recording_clock_at = ? where id = ?', [new Date(clock), interviewId]);
    for (const [index, track] of tracks.entries()) {
      const path = await makeTrack(directory, `${track.participant}-${track.kind}-${index}`, track.source, track.codec);
      await sql.execute('insert into recordings (id, interview_id, candidate_id, participant, kind, path, started_at, ended_at) values (?, ?, ?, ?, ?, ?, ?, ?)', [
        randomUUID(),
        interviewId,
        track.participant === 'HOST' ? null : candidateId,
        track.participant,
        track.kind,
        path,
        new Date(clock + track.startMs),
        new Date(clock + track.endMs),
      ]);
    }
  }

  it('composes the ended interview into one MP4 (a track without media left out): progress, READY, a signed download with byte ranges, recording.ready', async () => {
    const { interviewId, candidateId } = await runInterview(server.url, host, { end: false });
    await recordTracks(interviewId, candidateId, [
      { participant: 'CANDIDATE', kind: 'CAMERA', source: 'color=c=green:s=320x240:r=15:d=3', codec: vp8, startMs: 0, endMs: 3000 },
      { participant: 'CANDIDATE', kind: 'MICROPHONE', source: 'sine=f=440:d=3', codec: opus, startMs: 0, endMs: 3000 },
      { participant: 'HOST', kind: 'CAMERA', source: 'color=c=red:s=320x180:r=15:d=2', codec: vp8, startMs: 500, endMs: 2500 },
      { participant: 'HOST', kind: 'MICROPHONE', source: 'sine=f=880:d=2', codec: opus, startMs: 500, endMs: 2500 },
      // A reconnect whose recorder received nothing: a WebM header and no media, which ffmpeg refuses as an input.
      { participant: 'CANDIDATE', kind: 'MICROPHONE', source: 'anullsrc=r=48000:cl=mono', codec: ['-t', '0', ...opus], startMs: 2000, endMs: 2100 },
    ]);
    await host.ok(END_INTERVIEW, { id: interviewId });
    const composite = await until('the composite to be READY', async () => {
      const { recording } = await host.ok(COMPOSITE, { interviewId, candidateId });
      assert.notEqual(recording.composite?.status, 'FAILED', recording.composite?.error);
      return recording.composite?.status === 'READY' && recording.composite;
    });
    assert.equal(composite.progress, 1);
    assert.equal(composite.durationMs, 3000);
    assert.equal(composite.error, null);

    const whole = await fetch(composite.downloadUrl);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-type'), 'video/mp4');
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    const mp4 = Buffer.from(await whole.arrayBuffer());
    assert.equal(mp4.length, composite.bytes);
    const file = join(server.env.PROCTOR_DATA_DIR!, 'downloaded.mp4');
    await (await import('node:fs/promises')).writeFile(file, mp4);
    const probe = JSON.parse((await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name:format=duration', '-of', 'json', file])).stdout);
    assert.deepEqual(
      probe.streams.map((s: { codec_name: string }) => s.codec_name),
      ['h264', 'aac'],
    );
    assert.ok(Math.abs(Number(probe.format.duration) - 3) < 0.5, `duration ${probe.format.duration}`);

    const part = await fetch(composite.downloadUrl, { headers: { range: 'bytes=100-199' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 100-199/${mp4.length}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), mp4.subarray(100, 200));
    const beyond = await fetch(composite.downloadUrl, { headers: { range: `bytes=${mp4.length}-` } });
    assert.equal(beyond.status, 416);

    const [delivery] = await hook.waitFor(1);
    const payload = JSON.parse(delivery!.body);
    assert.equal(payload.event, 'recording.ready');
    assert.equal(payload.data.candidateId, candidateId);
    assert.equal(payload.data.durationMs, 3000);
  });

  it('another org, a forged link and a candidate cannot reach it', async () => {
    const { interviewId, candidateId, candidateToken } = await runInterview(server.url, host, { end: false });
    await recordTracks(interviewId, candidateId, [{ participant: 'CANDIDATE', kind: 'CAMERA', source: 'color=c=green:s=160x120:r=10:d=1', codec: vp8, startMs: 0, endMs: 1000 }]);
    await host.ok(END_INTERVIEW, { id: interviewId });
    const composite = await until('the composite to be READY', async () => {
      const { recording } = await host.ok(COMPOSITE, { interviewId, candidateId });
      return recording.composite?.status === 'READY' && recording.composite;
    });
    const { client: stranger } = await signUp(new GraphQLClient(server.url), 'Other Inc');
    assert.equal((await stranger.error(COMPOSITE, { interviewId, candidateId })).code, 'NOT_FOUND');
    const path = new URL(composite.downloadUrl).pathname;
    const byStranger = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${stranger.token}` } });
    assert.equal(byStranger.status, 404);
    const byCandidate = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${candidateToken}` } });
    assert.ok([401, 403].includes(byCandidate.status), `candidate got ${byCandidate.status}`);
    const forged = await fetch(composite.downloadUrl.replace(/expires=(\d+)/, (_: string, n: string) => `expires=${Number(n) + 60}`));
    assert.equal(forged.status, 401);
    const byHost = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${host.token}`, range: 'bytes=0-9' } });
    assert.equal(byHost.status, 206);
    assert.equal(Buffer.from(await byHost.arrayBuffer()).length, 10);
  });
});
