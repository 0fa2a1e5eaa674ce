// The SFU end to end: a real mediasoup worker, real headless Chromium pages running
// client/src/media over our GraphQL signaling, real ffmpeg recordings checked with ffprobe.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { parse, validate } from 'graphql';
import type { Page } from 'playwright-core';
import { schema } from '../schema/index.ts';
import { MEDIA_OPERATIONS } from '../contract/media-signaling.ts';
import { loadConfig } from '../server/config.ts';
import { parseTimestamp } from '../server/db/timestamps.ts';
import { createLogger } from '../server/log.ts';
import { startMedia } from '../server/media/setup.ts';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { SocketPool, subscribed } from './support/live.ts';
import { serveMediaHarness, type MediaPage } from './support/media-page.ts';
import { databaseAgnostic, describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { CAPABILITIES, CONSUME, CREATE_TRANSPORT, errorCode, OPUS_RTP, PRODUCE, ROOM_EVENTS, VP8_RTP, vp8Rtp } from './support/sfu-signaling.ts';
import { until } from './support/until.ts';
import { DEVICE, JOIN_SESSION } from './support/candidate-fixtures.ts';
import { START_INTERVIEW, END_INTERVIEW } from './support/host-operations.ts';

const run = promisify(execFile);
const HOST_EVENTS = `subscription($id: ID!) { interviewEvents(interviewId: $id) {
  __typename
  ... on StreamQuality { candidateId bitrateKbps packetLossPct jitterMs rttMs score }
  ... on LiveAlert { type candidateId severity }
} }`;
/** The streams in a media file, as `kind/codec`, sorted. */
async function streamsOf(path: string): Promise<string[]> {
  const probe = JSON.parse((await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name', '-of', 'json', path])).stdout);
  return probe.streams.map((s: { codec_type: string; codec_name: string }) => `${s.codec_type}/${s.codec_name}`).sort();
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

  before(async function () {
    databaseAgnostic(this); // mediasoup, Chromium and ffmpeg; the rows they write use the same stores as the API tests run on both databases
    [server, harness, browser] = await Promise.all([startTestPlatform(), serveMediaHarness(), launchBrowser()]);
    ({ client: host } = await signUp(new GraphQLClient(server.url)));
  });
  after(async () => {
    await sockets.closeAll();
    await browser?.close();
    await harness?.close();
    await server?.stop();
  });

  /** A join link to an interview (LIVE unless `start` is false) of `as`'s org. */
  async function liveInterview(start = true, as = host) {
    const created = await as.ok('mutation { createInterview(input: { title: "Media" }) { interview { id } } }');
    const interviewId: string = created.createInterview.interview.id;
    const invited = await as.ok('mutation($id: ID!) { inviteCandidate(interviewId: $id, name: "Ada", email: "ada@example.com") { token candidate { id } } }', {
      id: interviewId,
    });
    if (start) await as.ok(START_INTERVIEW, { id: interviewId });
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
      assert.deepEqual(
        validate(schema, parse(document)).map((error) => error.message),
        [],
        name,
      );
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
    // Not FORBIDDEN: a candidate is not told that a stream it may not receive exists.
    assert.equal(await errorCode(candidate, CONSUME, { producerId: foreignProducer, rtpCapabilities: caps }), 'NOT_FOUND');
    assert.equal(await errorCode(candidate, PRODUCE, { transportId: sending, kind: 'VIDEO', rtpParameters: VP8_RTP, source: 'CAMERA' }), 'FORBIDDEN');

    const { client: stranger } = await signUp(new GraphQLClient(server.url), 'Other org');
    const strangerSocket = open(stranger.token);
    assert.equal(await errorCode(strangerSocket, CREATE_TRANSPORT, { interviewId: theirs.interviewId, direction: 'RECV' }), 'NOT_FOUND');
    assert.equal(await errorCode(strangerSocket, CONSUME, { producerId: foreignProducer, rtpCapabilities: caps }), 'NOT_FOUND');

    // Bad input gets a code and a message; HTTP cannot signal; rooms exist only while LIVE.
    assert.equal(await errorCode(other, PRODUCE, { transportId: sending, kind: 'VIDEO', rtpParameters: VP8_RTP, source: 'MIC' }), 'BAD_USER_INPUT');
    // SCREEN: this candidate already sends its one CAMERA, and would be refused for that first.
    assert.equal(await errorCode(other, PRODUCE, { transportId: sending, kind: 'VIDEO', rtpParameters: { codecs: 'nope' }, source: 'SCREEN' }), 'BAD_USER_INPUT');
    assert.equal(await errorCode(other, CONSUME, { producerId: 'no-such-producer', rtpCapabilities: caps }), 'NOT_FOUND');
    assert.equal((await host.withToken(mine.token).error(CAPABILITIES)).code, 'BAD_USER_INPUT');
    const scheduled = await liveInterview(false);
    assert.equal(await errorCode(open(scheduled.token), CAPABILITIES, {}), 'CONFLICT');
  });

  it("lets a candidate receive only the host's streams, and tells it of no other candidate's", async () => {
    const { interviewId, token: tokenA } = await liveInterview();
    const invited = await host.ok('mutation($id: ID!) { inviteCandidate(interviewId: $id, name: "Bob", email: "bob@example.com") { token } }', { id: interviewId });
    const candidateA = open(tokenA);
    const candidateB = open(invited.inviteCandidate.token);
    const hostSocket = open(host.token);
    const heardByA = candidateA.subscribe(ROOM_EVENTS, {});
    const heardByHost = hostSocket.subscribe(ROOM_EVENTS, { interviewId });
    assert.equal((await heardByA.next()).data.mediaRoomEvents.kind, 'ROOM_OPENED');
    assert.equal((await heardByHost.next()).data.mediaRoomEvents.kind, 'ROOM_OPENED');

    // B sends camera, mic and screen; then the host sends its mic. Events arrive in order, so
    // anything A heard of B's streams would come before the host's.
    const sendB = (await candidateB.request(CREATE_TRANSPORT, { direction: 'SEND' })).createTransport.id;
    const producersOfB: string[] = [];
    for (const [kind, source, rtp] of [
      ['VIDEO', 'CAMERA', VP8_RTP],
      ['AUDIO', 'MIC', OPUS_RTP],
      ['VIDEO', 'SCREEN', vp8Rtp(33333333)],
    ] as const) {
      producersOfB.push((await candidateB.request(PRODUCE, { transportId: sendB, kind, rtpParameters: rtp, source })).produce);
    }
    const sendHost = (await hostSocket.request(CREATE_TRANSPORT, { interviewId, direction: 'SEND' })).createTransport.id;
    const hostMic = (await hostSocket.request(PRODUCE, { transportId: sendHost, kind: 'AUDIO', rtpParameters: OPUS_RTP, source: 'MIC' })).produce;
    assert.deepEqual((await heardByA.next()).data.mediaRoomEvents, {
      kind: 'PRODUCER_ADDED',
      reconnect: false,
      producer: { producerId: hostMic, kind: 'AUDIO', source: 'MIC', role: 'HOST', candidateId: null },
    });
    // The host keeps hearing of every stream.
    const heard: string[] = [];
    for (let i = 0; i < 4; i++) heard.push((await heardByHost.next()).data.mediaRoomEvents.producer.producerId);
    assert.deepEqual(heard, [...producersOfB, hostMic]);

    // A cannot receive B's streams: the same answer as for a producer that does not exist.
    const caps = (await candidateA.request(CAPABILITIES, {})).routerRtpCapabilities;
    await candidateA.request(CREATE_TRANSPORT, { direction: 'RECV' });
    for (const producerId of [...producersOfB, 'no-such-producer']) {
      assert.equal(await errorCode(candidateA, CONSUME, { producerId, rtpCapabilities: caps }), 'NOT_FOUND', producerId);
    }
    assert.ok((await candidateA.request(CONSUME, { producerId: hostMic, rtpCapabilities: caps })).consume.id, "A receives the host's mic");
    const hostRecv = await hostSocket.request(CREATE_TRANSPORT, { interviewId, direction: 'RECV' });
    assert.ok(hostRecv.createTransport.id);
    assert.ok((await hostSocket.request(CONSUME, { producerId: producersOfB[0], rtpCapabilities: caps })).consume.id, "the host receives B's camera");

    // A late subscriber gets the room as it is, without B's streams; B leaving is not announced
    // to A either (the host's stream closing after it is the next thing A hears).
    const lateA = open(tokenA).subscribe(ROOM_EVENTS, {});
    assert.equal((await lateA.next()).data.mediaRoomEvents.kind, 'ROOM_OPENED');
    assert.equal((await lateA.next()).data.mediaRoomEvents.producer.producerId, hostMic);
    await candidateB.dispose();
    for (let i = 0; i < 3; i++) assert.equal((await heardByHost.next()).data.mediaRoomEvents.kind, 'PRODUCER_CLOSED');
    await hostSocket.request('mutation($producerId: ID!) { closeProducer(producerId: $producerId) }', { producerId: hostMic });
    for (const subscription of [heardByA, lateA]) {
      assert.deepEqual((await subscription.next()).data.mediaRoomEvents, {
        kind: 'PRODUCER_CLOSED',
        reconnect: false,
        producer: { producerId: hostMic, kind: 'AUDIO', source: 'MIC', role: 'HOST', candidateId: null },
      });
    }
  });

  it('tells subscribers when the room opens, what streams it has, and when it closes', async () => {
    const { interviewId, token, candidateId } = await liveInterview(false);
    const events = open(host.token).subscribe(ROOM_EVENTS, { interviewId });
    await subscribed(server.platform.services.media, interviewId);
    await host.ok(START_INTERVIEW, { id: interviewId });
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
    await host.ok(END_INTERVIEW, { id: interviewId });
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
    // Each consume resolves on its own, so video may be decoding before the audio consumer exists.
    await until('both kinds consumed on the host page', async () => (await hostPage.evaluate(() => (window as any).harness.consumedKinds())).sort().join() === 'audio,video');
    await until('decoded frames on the host page', async () => (await hostPage.evaluate(() => (window as any).harness.framesDecoded())) > 0);

    // StreamQuality reaches the host's subscription.
    let quality: any;
    while (!quality) {
      const event = (await watcher.next()).data.interviewEvents;
      if (event.__typename === 'StreamQuality' && event.bitrateKbps > 0) quality = event;
    }
    assert.equal(quality.candidateId, candidateId);
    assert.ok(quality.score >= 0 && quality.score <= 10);
    assert.ok(quality.packetLossPct >= 0 && quality.jitterMs >= 0 && quality.rttMs >= 0);

    // Camera and mic are recorded each into its own file.
    const connection = server.platform.orm.em.getConnection();
    await until('camera and mic in their track files', async () => {
      const rows = await connection.execute<{ path: string }[]>('select path from recordings where interview_id = ? and candidate_id = ?', [interviewId, candidateId]);
      const streams = await Promise.all(rows.map((row) => streamsOf(row.path).catch(() => [])));
      return streams.flat().sort().join() === 'audio/opus,video/vp8';
    });
    // Operators see it on /metrics. The gauge counts the recordings being written on the whole
    // server at the moment of the scrape (an earlier test's candidate may still hold one), so each
    // scrape is compared with the recordings the database has open just before and after it, this
    // one among them. A recording that ended early fails here with that reason, not as a gauge
    // never seen.
    const openRecordings = () => connection.execute<{ interview_id: string; candidate_id: string }[]>('select interview_id, candidate_id from recordings where ended_at is null');
    let seen = '';
    const metrics = await until('/metrics to count the recordings being written', async () => {
      const before = await openRecordings();
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const after = await openRecordings();
      assert.ok(
        after.some((row) => row.interview_id === interviewId && row.candidate_id === candidateId),
        'the recording is still being written',
      );
      seen = `${/^proctor_recordings_active .*$/m.exec(text)?.[0]} with ${before.length} then ${after.length} open in the database`;
      return before.length === after.length && new RegExp(`^proctor_recordings_active ${after.length}$`, 'm').test(text) && text;
    }).catch((error: Error) => assert.fail(`${error.message}; last seen ${seen}`));
    assert.match(metrics, /^proctor_media_rooms [1-9]/m);
    assert.match(metrics, /^proctor_media_producers [2-9]/m);
    assert.match(metrics, /^proctor_sfu_workers 1$/m);

    // Stop the camera: MEDIA_LOST, decided by the server.
    await candidatePage.evaluate(() => (window as any).harness.stopCamera());
    let lost: any;
    while (!lost) {
      const event = (await watcher.next()).data.interviewEvents;
      if (event.__typename === 'LiveAlert' && event.type === 'MEDIA_LOST') lost = event;
    }
    assert.equal(lost.candidateId, candidateId);
    assert.equal(lost.severity, 'HIGH');

    await host.ok(END_INTERVIEW, { id: interviewId });
    const recordings = await until('finalized tracks', async () => {
      const rows = await connection.execute<{ path: string; kind: string; started_at: string; ended_at: string | null }[]>(
        'select path, kind, started_at, ended_at from recordings where interview_id = ? and candidate_id = ? order by kind',
        [interviewId, candidateId],
      );
      return rows.length > 0 && rows.every((row) => row.ended_at) && rows;
    });
    assert.deepEqual(
      recordings.map((row) => row.kind),
      ['CAMERA', 'MICROPHONE'],
      'one track per producer',
    );
    const [camera, mic] = recordings;
    assert.match(camera!.path, new RegExp(`/recordings/${interviewId}/${candidateId}-camera-[0-9a-f-]+\\.webm$`));
    assert.deepEqual(await streamsOf(camera!.path), ['video/vp8']);
    assert.deepEqual(await streamsOf(mic!.path), ['audio/opus']);
    const probe = JSON.parse((await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'json', mic!.path])).stdout);
    const expectedSeconds = (parseTimestamp(mic!.ended_at)!.getTime() - parseTimestamp(mic!.started_at).getTime()) / 1000;
    const seconds = Number(probe.format.duration);
    assert.ok(Math.abs(seconds - expectedSeconds) < 2.5, `recorded ${seconds} s of ${expectedSeconds} s`);

    const [summary] = await connection.execute<{ samples: number; avg_bitrate_kbps: number; min_score: number }[]>(
      'select samples, avg_bitrate_kbps, min_score from stream_quality_summaries where candidate_id = ?',
      [candidateId],
    );
    assert.ok(summary && summary.samples >= 1 && summary.avg_bitrate_kbps > 0, JSON.stringify(summary));
    await Promise.all([candidatePage.close(), hostPage.close()]);
  });

  it('stops a recording cleanly near its size cap while the interview goes on', async () => {
    const maxBytes = 200 * 1024;
    const [capped, page] = await Promise.all([startTestPlatform({ recordingMaxBytes: maxBytes }), openPage()]);
    try {
      const { client: cappedHost } = await signUp(new GraphQLClient(capped.url));
      const { interviewId, token, candidateId } = await liveInterview(true, cappedHost);
      await page.evaluate(([url, t]) => (window as any).harness.publish(url, t), [capped.url, token]);

      const connection = capped.platform.orm.em.getConnection();
      // The camera's track reaches the cap first (the mic's grows ~15 times slower).
      const recording = await until('a recording ended by its size cap', async () => {
        const rows = await connection.execute<{ path: string; ended_at: string | null }[]>(
          "select path, ended_at from recordings where interview_id = ? and candidate_id = ? and kind = 'CAMERA'",
          [interviewId, candidateId],
        );
        return rows.length === 1 && rows[0]!.ended_at ? rows[0] : undefined;
      });
      const { size } = await stat(recording.path);
      // ffmpeg stops once what it has written passes the cap; the WebM muxer writes whole clusters
      // (up to 5 s of media, ~400 KB at the page's bitrate), so the file ends at most one past it.
      assert.ok(size >= maxBytes && size <= maxBytes + 512 * 1024, `${size} bytes for a cap of ${maxBytes}`);
      const probe = JSON.parse((await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type:format=duration', '-of', 'json', recording.path])).stdout);
      assert.deepEqual(
        probe.streams.map((s: { codec_type: string }) => s.codec_type),
        ['video'],
        'a finalized, readable file',
      );
      assert.ok(Number(probe.format.duration) > 0);

      const { interview } = await cappedHost.ok('query($id: ID!) { interview(id: $id) { status } }', { id: interviewId });
      assert.equal(interview.status, 'LIVE');
      // The mic's track goes on being recorded.
      await until('only the mic recording active on /metrics', async () => /^proctor_recordings_active 1$/m.test(await (await fetch(`${capped.url}/metrics`)).text()));
    } finally {
      await page.close();
      await capped.stop();
    }
  });

  /** The candidate's microphone files, oldest first. */
  const micRows = (interviewId: string, candidateId: string) =>
    server.platform.orm.em
      .getConnection()
      .execute<{ path: string; started_at: string; ended_at: string | null }[]>(
        "select path, started_at, ended_at from recordings where interview_id = ? and candidate_id = ? and kind = 'MICROPHONE' order by started_at",
        [interviewId, candidateId],
      );

  /** The pid of the ffmpeg writing `path`. */
  async function recorderOf(path: string): Promise<number> {
    const [pid] = (await run('pgrep', ['-f', '--', path])).stdout.split('\n').filter(Boolean).map(Number);
    assert.ok(pid, `the ffmpeg writing ${path}`);
    return pid;
  }

  it("keeps a track's end when ffmpeg is seconds behind as the interview ends", async () => {
    const { interviewId, token, candidateId } = await liveInterview();
    const page = await openPage();
    try {
      await page.evaluate(([url, t]) => (window as any).harness.publish(url, t), [server.url, token]);
      const { path } = await until('the mic being recorded', async () => {
        const [row] = await micRows(interviewId, candidateId);
        const size = row ? (await stat(row.path).catch(() => undefined))?.size : undefined;
        return size ? row : undefined;
      });
      // As on a saturated machine: ffmpeg gets no CPU while the packets queue up in its socket
      // (some 3 s of the page's opus, ~12 KB, counted on the SFU's side), and the interview ends
      // the moment it runs again.
      const pid = await recorderOf(path);
      const audioBytes = async () => (await bytesOf(interviewId)).find((b) => b.kind === 'AUDIO')?.bytes ?? 0;
      const before = await audioBytes();
      process.kill(pid, 'SIGSTOP');
      await until('3 s of audio queued for the stopped ffmpeg', async () => (await audioBytes()) >= before + 12_000);
      process.kill(pid, 'SIGCONT');
      await host.ok(END_INTERVIEW, { id: interviewId });
      const mic = await until('the mic track finalized', async () => {
        const [row] = await micRows(interviewId, candidateId);
        return row?.ended_at ? { ...row, ended_at: row.ended_at } : undefined;
      });
      const probe = JSON.parse((await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'json', mic.path])).stdout);
      const trackSeconds = (parseTimestamp(mic.ended_at).getTime() - parseTimestamp(mic.started_at).getTime()) / 1000;
      const seconds = Number(probe.format.duration);
      // Seconds of packets were waiting in the socket when the interview ended: none of them is lost.
      assert.ok(seconds >= trackSeconds - 1, `recorded ${seconds} s of a ${trackSeconds} s track`);
    } finally {
      await page.close();
    }
  });

  it('records the rest of a track in a new file when its ffmpeg dies mid-interview', async () => {
    const { interviewId, token, candidateId } = await liveInterview();
    const page = await openPage();
    try {
      await page.evaluate(([url, t]) => (window as any).harness.publish(url, t), [server.url, token]);
      const [first] = await until('the mic being recorded', async () => {
        const rows = await micRows(interviewId, candidateId);
        return rows.length === 1 && (await streamsOf(rows[0]!.path).catch(() => [])).join() === 'audio/opus' ? rows : undefined;
      });
      process.kill(await recorderOf(first!.path), 'SIGKILL');
      await until('a second mic file, recording', async () => {
        const rows = await micRows(interviewId, candidateId);
        return rows.length === 2 && rows[0]!.ended_at !== null && rows[1]!.ended_at === null && (await stat(rows[1]!.path).catch(() => undefined))?.size;
      });
      await host.ok(END_INTERVIEW, { id: interviewId });
      const rows = await until('both mic files finalized', async () => {
        const rows = await micRows(interviewId, candidateId);
        return rows.every((row) => row.ended_at) && rows;
      });
      assert.equal(rows.length, 2);
      for (const row of rows) assert.deepEqual(await streamsOf(row.path), ['audio/opus'], `${row.path} is readable`);
    } finally {
      await page.close();
    }
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
