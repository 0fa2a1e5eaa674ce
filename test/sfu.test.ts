// The SFU end to end: a real mediasoup worker, real headless Chromium pages running
// client/src/media over our GraphQL signaling, real ffmpeg recordings checked with ffprobe.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parse, validate } from 'graphql';
import type { Page } from 'playwright-core';
import { schema } from '../schema/index.ts';
import { MEDIA_OPERATIONS } from '../schema/media-signaling.ts';
import { loadConfig } from '../server/config.ts';
import { parseTimestamp } from '../server/db/timestamps.ts';
import { createLogger } from '../server/log.ts';
import { startMedia } from '../server/media/setup.ts';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { SocketPool, subscribed, type WsClient } from './support/live.ts';
import { serveMediaHarness, type MediaPage } from './support/media-page.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { until } from './support/until.ts';
import { DEVICE, JOIN_SESSION } from './support/candidate-fixtures.ts';

const run = promisify(execFile);
const HOST_EVENTS = `subscription($id: ID!) { interviewEvents(interviewId: $id) {
  __typename
  ... on StreamQuality { candidateId bitrateKbps packetLossPct jitterMs rttMs score }
  ... on LiveAlert { type candidateId severity }
} }`;
const CREATE_TRANSPORT = 'mutation($interviewId: ID, $direction: TransportDirection!) { createTransport(interviewId: $interviewId, direction: $direction) { id } }';
const PRODUCE = 'mutation($transportId: ID!, $kind: MediaKind!, $rtpParameters: JSONObject!, $source: MediaSource!) { produce(transportId: $transportId, kind: $kind, rtpParameters: $rtpParameters, source: $source) }';
const CONSUME = 'mutation($producerId: ID!, $rtpCapabilities: JSONObject!) { consume(producerId: $producerId, rtpCapabilities: $rtpCapabilities) { id } }';
const ROOM_EVENTS = 'subscription($interviewId: ID) { mediaRoomEvents(interviewId: $interviewId) { kind reconnect producer { producerId kind source role candidateId } } }';
const CAPABILITIES = 'query($interviewId: ID) { routerRtpCapabilities(interviewId: $interviewId) }';
/** Plain VP8 as a non-browser sender would describe it (no DTLS needed to register a producer). */
const VP8_RTP = { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: 22222222 }] };
const OPUS_RTP = { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 11111111 }] };

/** The streams in a media file, as `kind/codec`, sorted. */
async function streamsOf(path: string): Promise<string[]> {
  const probe = JSON.parse((await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name', '-of', 'json', path])).stdout);
  return probe.streams.map((s: { codec_type: string; codec_name: string }) => `${s.codec_type}/${s.codec_name}`).sort();
}

/** The first error's code of a graphql-ws request that must fail. */
async function errorCode(socket: WsClient, query: string, variables: Record<string, unknown>): Promise<string> {
  try {
    await socket.request(query, variables);
  } catch (error) {
    return JSON.parse((error as Error).message)[0].extensions.code;
  }
  throw new Error('expected the request to fail');
}

describe(`SFU: media rooms, signaling, quality, MEDIA_LOST, recording (${describeDatabase()})`, function () {
  // A hang guard: a browser encoding, the SFU and ffmpeg share two cores with whatever else runs.
  this.timeout(180_000);
  let server: TestPlatform;
  let host: GraphQLClient;
  let harness: MediaPage;
  let browser: TestBrowser;
  const sockets = new SocketPool(() => server.url);
  const open = (token: string | undefined) => sockets.open(token);

  before(async () => {
    [server, harness, browser] = await Promise.all([startTestPlatform(), serveMediaHarness(), launchBrowser()]);
    ({ client: host } = await signUp(new GraphQLClient(server.url)));
  });
  after(async () => {
    await sockets.closeAll();
    await browser?.close();
    await harness?.close();
    await server?.stop();
  });

  async function liveInterview(start = true) {
    const created = await host.ok('mutation { createInterview(input: { title: "Media" }) { interview { id } } }');
    const interviewId: string = created.createInterview.interview.id;
    const invited = await host.ok('mutation($id: ID!) { inviteCandidate(interviewId: $id, name: "Ada", email: "ada@example.com") { token candidate { id } } }', { id: interviewId });
    if (start) await host.ok('mutation($id: ID!) { startInterview(id: $id) { status } }', { id: interviewId });
    return { interviewId, token: invited.inviteCandidate.token as string, candidateId: invited.inviteCandidate.candidate.id as string };
  }

  async function openPage(): Promise<Page> {
    const page = await browser.context.newPage();
    await page.goto(harness.url);
    await page.waitForFunction(() => 'harness' in window);
    return page;
  }

  const bytesOf = async (interviewId: string) =>
    (await server.platform.services.media.producerStats(interviewId)).map(({ producer, stats }) => ({
      kind: producer.kind,
      bytes: stats.reduce((sum, stat) => sum + stat.byteCount, 0),
    }));

  it("keeps the browser module's operations valid against the schema", () => {
    for (const [name, document] of Object.entries(MEDIA_OPERATIONS)) {
      assert.deepEqual(validate(schema, parse(document)).map((error) => error.message), [], name);
    }
  });

  it('keeps each join link in its own room and each host in its own org', async () => {
    const mine = await liveInterview();
    const theirs = await liveInterview();
    const candidate = open(mine.token);
    const other = open(theirs.token);
    // Another candidate registers a producer in its room (plain VP8 parameters, as ffmpeg would send).
    const sending = (await other.request(CREATE_TRANSPORT, { direction: 'SEND' })).createTransport.id;
    const foreignProducer = (await other.request(PRODUCE, { transportId: sending, kind: 'VIDEO', rtpParameters: VP8_RTP, source: 'CAMERA' })).produce;

    const caps = (await candidate.request(CAPABILITIES, {})).routerRtpCapabilities;
    assert.ok(caps.codecs.some((codec: { mimeType: string }) => codec.mimeType === 'video/VP8'));
    await candidate.request(CREATE_TRANSPORT, { direction: 'RECV' });
    assert.equal(await errorCode(candidate, CREATE_TRANSPORT, { interviewId: theirs.interviewId, direction: 'SEND' }), 'FORBIDDEN');
    assert.equal(await errorCode(candidate, CONSUME, { producerId: foreignProducer, rtpCapabilities: caps }), 'FORBIDDEN');
    assert.equal(await errorCode(candidate, PRODUCE, { transportId: sending, kind: 'VIDEO', rtpParameters: VP8_RTP, source: 'CAMERA' }), 'FORBIDDEN');

    const { client: stranger } = await signUp(new GraphQLClient(server.url), 'Other org');
    const strangerSocket = open(stranger.token);
    assert.equal(await errorCode(strangerSocket, CREATE_TRANSPORT, { interviewId: theirs.interviewId, direction: 'RECV' }), 'NOT_FOUND');
    assert.equal(await errorCode(strangerSocket, CONSUME, { producerId: foreignProducer, rtpCapabilities: caps }), 'NOT_FOUND');

    // Bad input gets a code and a message; HTTP cannot signal; rooms exist only while LIVE.
    assert.equal(await errorCode(other, PRODUCE, { transportId: sending, kind: 'VIDEO', rtpParameters: VP8_RTP, source: 'MIC' }), 'BAD_USER_INPUT');
    assert.equal(await errorCode(other, PRODUCE, { transportId: sending, kind: 'VIDEO', rtpParameters: { codecs: 'nope' }, source: 'CAMERA' }), 'BAD_USER_INPUT');
    assert.equal(await errorCode(other, CONSUME, { producerId: 'no-such-producer', rtpCapabilities: caps }), 'NOT_FOUND');
    assert.equal((await host.withToken(mine.token).error(CAPABILITIES)).code, 'BAD_USER_INPUT');
    const scheduled = await liveInterview(false);
    assert.equal(await errorCode(open(scheduled.token), CAPABILITIES, {}), 'CONFLICT');
  });

  it('tells subscribers when the room opens, what streams it has, and when it closes', async () => {
    const { interviewId, token, candidateId } = await liveInterview(false);
    const events = open(host.token).subscribe(ROOM_EVENTS, { interviewId });
    await subscribed(server.platform.services.media, interviewId);
    await host.ok('mutation($id: ID!) { startInterview(id: $id) { status } }', { id: interviewId });
    assert.deepEqual((await events.next()).data.mediaRoomEvents, { kind: 'ROOM_OPENED', reconnect: false, producer: null });
    const candidate = open(token);
    const transportId = (await candidate.request(CREATE_TRANSPORT, { direction: 'SEND' })).createTransport.id;
    const producerId = (await candidate.request(PRODUCE, { transportId, kind: 'VIDEO', rtpParameters: VP8_RTP, source: 'CAMERA' })).produce;
    assert.deepEqual((await events.next()).data.mediaRoomEvents, {
      kind: 'PRODUCER_ADDED',
      reconnect: false,
      producer: { producerId, kind: 'VIDEO', source: 'CAMERA', role: 'CANDIDATE', candidateId },
    });
    // A host publishes too (their mic), and the candidate may receive it.
    const hostSocket = open(host.token);
    const hostTransport = (await hostSocket.request(CREATE_TRANSPORT, { interviewId, direction: 'SEND' })).createTransport.id;
    const hostMic = (await hostSocket.request(PRODUCE, { transportId: hostTransport, kind: 'AUDIO', rtpParameters: OPUS_RTP, source: 'MIC' })).produce;
    assert.deepEqual((await events.next()).data.mediaRoomEvents.producer, { producerId: hostMic, kind: 'AUDIO', source: 'MIC', role: 'HOST', candidateId: null });
    const caps = (await candidate.request(CAPABILITIES, {})).routerRtpCapabilities;
    await candidate.request(CREATE_TRANSPORT, { direction: 'RECV' });
    assert.ok((await candidate.request(CONSUME, { producerId: hostMic, rtpCapabilities: caps })).consume.id);
    // A late subscriber gets the room as it is.
    const late = open(host.token).subscribe(ROOM_EVENTS, { interviewId });
    assert.equal((await late.next()).data.mediaRoomEvents.kind, 'ROOM_OPENED');
    const present = [(await late.next()).data.mediaRoomEvents.producer.producerId, (await late.next()).data.mediaRoomEvents.producer.producerId];
    assert.deepEqual(present.sort(), [producerId, hostMic].sort());
    await host.ok('mutation($id: ID!) { endInterview(id: $id) { status } }', { id: interviewId });
    const kinds: string[] = [];
    while (kinds.at(-1) !== 'ROOM_CLOSED') kinds.push((await events.next()).data.mediaRoomEvents.kind);
    assert.deepEqual(kinds, ['PRODUCER_CLOSED', 'PRODUCER_CLOSED', 'ROOM_CLOSED']);
  });

  it('carries a candidate page to a host page, measures it, records it and raises MEDIA_LOST when the camera stops', async () => {
    const { interviewId, token, candidateId } = await liveInterview();
    const watcher = open(host.token).subscribe(HOST_EVENTS, { id: interviewId });
    await open(token).request(JOIN_SESSION, { device: DEVICE });

    const candidatePage = await openPage();
    const producerIds: string[] = await candidatePage.evaluate(([url, t]) => (window as any).harness.publish(url, t), [server.url, token]);
    assert.equal(producerIds.length, 2);

    // Producer stats rise on the server, for video and audio.
    const first = await until('bytes on both producers', async () => {
      const bytes = await bytesOf(interviewId);
      return bytes.length === 2 && bytes.every((b) => b.bytes > 0) && bytes;
    });
    const later = await until('more bytes', async () => {
      const bytes = await bytesOf(interviewId);
      return bytes.every((b) => b.bytes > first.find((f) => f.kind === b.kind)!.bytes) && bytes;
    });
    assert.deepEqual(later.map((b) => b.kind).sort(), ['AUDIO', 'VIDEO']);

    // A host page consumes and decodes the candidate's video.
    const hostPage = await openPage();
    await hostPage.evaluate(([url, t, id]) => (window as any).harness.watch(url, t, id), [server.url, host.token!, interviewId]);
    await until('decoded frames on the host page', async () => (await hostPage.evaluate(() => (window as any).harness.framesDecoded())) > 0);
    assert.deepEqual((await hostPage.evaluate(() => (window as any).harness.consumedKinds())).sort(), ['audio', 'video']);

    // StreamQuality reaches the host's subscription.
    let quality: any;
    while (!quality) {
      const event = (await watcher.next()).data.interviewEvents;
      if (event.__typename === 'StreamQuality' && event.bitrateKbps > 0) quality = event;
    }
    assert.equal(quality.candidateId, candidateId);
    assert.ok(quality.score >= 0 && quality.score <= 10);
    assert.ok(quality.packetLossPct >= 0 && quality.jitterMs >= 0 && quality.rttMs >= 0);

    // Operators see it on /metrics (the recording starts once camera and mic have settled).
    const metrics = await until('an active recording on /metrics', async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      return /^proctor_recordings_active 1$/m.test(text) && text;
    });
    assert.match(metrics, /^proctor_media_rooms [1-9]/m);
    assert.match(metrics, /^proctor_media_producers [2-9]/m);
    assert.match(metrics, /^proctor_sfu_workers 1$/m);

    // Once the file holds both streams, stop the camera: MEDIA_LOST, decided by the server.
    const connection = server.platform.orm.em.getConnection();
    await until('camera and mic in the recording file', async () => {
      const [row] = await connection.execute<{ path: string }[]>('select path from recordings where interview_id = ? and candidate_id = ?', [interviewId, candidateId]);
      return row !== undefined && (await streamsOf(row.path).catch(() => [])).join() === 'audio/opus,video/vp8';
    });
    await candidatePage.evaluate(() => (window as any).harness.stopCamera());
    let lost: any;
    while (!lost) {
      const event = (await watcher.next()).data.interviewEvents;
      if (event.__typename === 'LiveAlert' && event.type === 'MEDIA_LOST') lost = event;
    }
    assert.equal(lost.candidateId, candidateId);
    assert.equal(lost.severity, 'HIGH');

    await host.ok('mutation($id: ID!) { endInterview(id: $id) { status } }', { id: interviewId });
    const recordings = await until('a finalized recording', async () => {
      const rows = await connection.execute<{ path: string; started_at: string; ended_at: string | null }[]>(
        'select path, started_at, ended_at from recordings where interview_id = ? and candidate_id = ?',
        [interviewId, candidateId],
      );
      return rows.length > 0 && rows.every((row) => row.ended_at) && rows;
    });
    assert.equal(recordings.length, 1, 'one file: camera and mic arrived together');
    const [recording] = recordings;
    assert.match(recording!.path, new RegExp(`/recordings/${interviewId}/${candidateId}-\\d+\\.webm$`));
    assert.deepEqual(await streamsOf(recording!.path), ['audio/opus', 'video/vp8']);
    const probe = JSON.parse((await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'json', recording!.path])).stdout);
    const expectedSeconds = (parseTimestamp(recording!.ended_at)!.getTime() - parseTimestamp(recording!.started_at)!.getTime()) / 1000;
    const seconds = Number(probe.format.duration);
    assert.ok(Math.abs(seconds - expectedSeconds) < 2.5, `recorded ${seconds} s of ${expectedSeconds} s`);

    const [summary] = await connection.execute<{ samples: number; avg_bitrate_kbps: number; min_score: number }[]>(
      'select samples, avg_bitrate_kbps, min_score from stream_quality_summaries where candidate_id = ?',
      [candidateId],
    );
    assert.ok(summary && summary.samples >= 1 && summary.avg_bitrate_kbps > 0, JSON.stringify(summary));
    await Promise.all([candidatePage.close(), hostPage.close()]);
  });

  it('starts without ffmpeg: recording off, with one clear warning', async () => {
    const lines: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => void lines.push(line) });
    const config = loadConfig({ PROCTOR_SFU_WORKERS: '1', PROCTOR_RTC_PORT: '0', PROCTOR_FFMPEG_PATH: '/nonexistent/ffmpeg' });
    const media = await startMedia(config, logger);
    try {
      assert.equal(media.ffmpegPath, undefined);
      assert.equal(media.pool.workers().length, 1, 'the SFU itself still runs');
      const warnings = lines.map((line) => JSON.parse(line).msg as string);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /^recording disabled: "\/nonexistent\/ffmpeg" cannot run .*PROCTOR_FFMPEG_PATH/);
    } finally {
      media.pool.close();
    }
  });

  it('survives a killed worker: the room comes back and the candidate page re-publishes', async () => {
    const { interviewId, token } = await liveInterview();
    const page = await openPage();
    await page.evaluate(([url, t]) => (window as any).harness.publish(url, t), [server.url, token]);
    await until('media before the crash', async () => (await bytesOf(interviewId)).some((b) => b.bytes > 0));
    const [pid] = server.platform.services.media.workerPids();
    process.kill(pid!, 'SIGKILL');
    await until('a restarted worker', async () => {
      const pids = server.platform.services.media.workerPids();
      return pids.length === 1 && pids[0] !== pid;
    });
    await until('the page reconnected', async () => (await page.evaluate(() => (window as any).harness.log as string[])).includes('ready reconnect=true'));
    await until('media after the crash', async () => {
      const bytes = await bytesOf(interviewId);
      return bytes.length === 2 && bytes.every((b) => b.bytes > 0);
    });
    assert.match(await (await fetch(`${server.url}/metrics`)).text(), /^proctor_sfu_worker_restarts 1$/m);
    await page.close();
  });
});
