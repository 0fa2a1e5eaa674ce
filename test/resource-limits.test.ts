// Resource caps, through the public interface of a server started with small ones: media
// transports and producers per signaling connection (and the incoming bitrate each transport is
// held to), evidence snapshots per candidate session, WebSocket connections per org. (The size
// cap of a recording is in sfu.test.ts, beside the browser that publishes.)
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphQLClient, signUp, uniqueEmail } from './support/graphql.ts';
import { SocketPool } from './support/live.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { CREATE_TRANSPORT, opusRtp, PRODUCE, refusal, vp8Rtp } from './support/sfu-signaling.ts';
import { makeJpegs } from './support/snapshots.ts';
import { until } from './support/until.ts';
import { START_INTERVIEW } from './support/host-operations.ts';
import { DEVICE, JOIN_SESSION, REPORT_EVENTS } from './support/candidate-fixtures.ts';

const LIMITS = { mediaTransportsPerPeer: 2, mediaProducersPerPeer: 2, mediaMaxIncomingBitrate: 1_500_000, snapshotsPerSession: 3, webSocketsPerOrg: 3 };

describe(`Resource caps: media, snapshots, sockets (${describeDatabase()})`, function () {
  this.timeout(90_000);
  let server: TestPlatform;
  let jpegDir: string;
  let bigJpeg: Buffer;
  let tinyJpeg: Buffer;
  const sockets = new SocketPool(() => server.url);
  const open = (token: string | undefined) => sockets.open(token);

  before(async () => {
    jpegDir = await mkdtemp(join(tmpdir(), 'proctor-limits-'));
    const [[big], [tiny]] = await Promise.all([makeJpegs(join(jpegDir, 'big'), 1), makeJpegs(join(jpegDir, 'tiny'), 1, '16x16')]);
    [bigJpeg, tinyJpeg] = await Promise.all([readFile(big!), readFile(tiny!)]);
    assert.ok(tinyJpeg.length * 2 < bigJpeg.length, `the tiny JPEG (${tinyJpeg.length} B) is much smaller than the big one (${bigJpeg.length} B)`);
    // Two big snapshots fit a session, a third does not; a tiny one still does.
    const snapshotBytesPerSession = Math.floor(bigJpeg.length * 2.5);
    server = await startTestPlatform({ ...LIMITS, snapshotBytesPerSession });
  });
  after(async () => {
    await sockets.closeAll();
    await server?.stop();
    await rm(jpegDir, { recursive: true, force: true });
  });

  /** A LIVE interview in a fresh org (each test its own, so the per-org socket cap stays its own). */
  async function liveInterview() {
    const { client: host } = await signUp(new GraphQLClient(server.url));
    const created = await host.ok('mutation { createInterview(input: { title: "Caps" }) { interview { id } } }');
    const interviewId: string = created.createInterview.interview.id;
    const invite = async () =>
      (
        await host.ok('mutation($id: ID!, $email: String!) { inviteCandidate(interviewId: $id, name: "Ada", email: $email) { token candidate { id } } }', {
          id: interviewId,
          email: uniqueEmail('ada'),
        })
      ).inviteCandidate;
    const invited = await invite();
    await host.ok(START_INTERVIEW, { id: interviewId });
    return { host, interviewId, token: invited.token as string, candidateId: invited.candidate.id as string, invite };
  }

  it("refuses a connection's transports and tracks past its caps with LIMIT_EXCEEDED, and holds transports to the incoming bitrate", async () => {
    const { host, interviewId, token } = await liveInterview();
    const hostSocket = open(host.token);
    const transport = (direction: 'SEND' | 'RECV') => hostSocket.request(CREATE_TRANSPORT, { interviewId, direction });
    const sending = (await transport('SEND')).createTransport.id;
    await transport('RECV');
    const third = await refusal(hostSocket, CREATE_TRANSPORT, { interviewId, direction: 'RECV' });
    assert.equal(third.extensions.code, 'LIMIT_EXCEEDED');
    assert.equal(third.extensions.limit, 2);
    assert.match(third.message, /at most 2 media transports/);

    // Another connection has caps of its own; requests sent at once are counted one by one.
    const candidate = open(token);
    const raced = await Promise.allSettled([1, 2, 3].map(() => candidate.request(CREATE_TRANSPORT, { direction: 'SEND' })));
    assert.equal(raced.filter((r) => r.status === 'fulfilled').length, 2);
    const refused = raced.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    assert.equal(JSON.parse(refused.reason.message)[0].extensions.code, 'LIMIT_EXCEEDED');
    const candidateSend = (raced.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<any>).value.createTransport.id;

    // A candidate sends one track per source, and no more tracks than the cap.
    const produce = (socket: typeof candidate, transportId: string, kind: 'AUDIO' | 'VIDEO', source: string, rtpParameters: object) =>
      socket.request(PRODUCE, { transportId, kind, rtpParameters, source });
    await produce(candidate, candidateSend, 'VIDEO', 'CAMERA', vp8Rtp(1));
    const secondCamera = await refusal(candidate, PRODUCE, { transportId: candidateSend, kind: 'VIDEO', rtpParameters: vp8Rtp(2), source: 'CAMERA' });
    assert.equal(secondCamera.extensions.code, 'LIMIT_EXCEEDED');
    assert.match(secondCamera.message, /one CAMERA at a time/);
    await produce(candidate, candidateSend, 'AUDIO', 'MIC', opusRtp(3));
    const screen = await refusal(candidate, PRODUCE, { transportId: candidateSend, kind: 'VIDEO', rtpParameters: vp8Rtp(4), source: 'SCREEN' });
    assert.equal(screen.extensions.code, 'LIMIT_EXCEEDED');
    assert.match(screen.message, /at most 2 tracks/);

    // A host's tracks sent at once: two pass, the third is refused.
    const hostTracks = await Promise.allSettled([
      produce(hostSocket, sending, 'VIDEO', 'CAMERA', vp8Rtp(5)),
      produce(hostSocket, sending, 'VIDEO', 'SCREEN', vp8Rtp(6)),
      produce(hostSocket, sending, 'AUDIO', 'MIC', opusRtp(7)),
    ]);
    assert.deepEqual(hostTracks.map((r) => r.status).sort(), ['fulfilled', 'fulfilled', 'rejected']);
    const hostRefusal = hostTracks.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    assert.equal(JSON.parse(hostRefusal.reason.message)[0].extensions.code, 'LIMIT_EXCEEDED');

    // Every transport of the room is held to the configured incoming bitrate.
    const stats = await server.platform.services.media.transportStats(interviewId);
    assert.equal(stats.length, 4);
    for (const stat of stats) assert.equal(stat.maxIncomingBitrate, LIMITS.mediaMaxIncomingBitrate);
  });

  it("refuses a session's snapshots past its count and byte caps with LIMIT_EXCEEDED", async () => {
    const { token, invite } = await liveInterview();
    /** A joined session with one acknowledged FACE_MISSING (seq 0) to attach snapshots to. */
    const session = async (joinToken: string) => {
      const socket = open(joinToken);
      const { id } = (await socket.request(JOIN_SESSION, { device: DEVICE })).joinSession;
      const events = [{ seq: 0, type: 'FACE_MISSING', durationMs: 1500, occurredAt: new Date().toISOString() }];
      assert.deepEqual((await socket.request(REPORT_EVENTS, { sessionId: id, events })).reportEvents.accepted, [0]);
      await socket.dispose();
      return (jpeg: Buffer) =>
        fetch(`${server.url}/api/snapshots?sessionId=${id}&seq=0`, {
          method: 'POST',
          headers: { 'content-type': 'image/jpeg', authorization: `Bearer ${joinToken}` },
          body: new Uint8Array(jpeg),
        });
    };

    const byCount = await session(token);
    for (let i = 0; i < LIMITS.snapshotsPerSession; i++) assert.equal((await byCount(tinyJpeg)).status, 201);
    const fourth = await byCount(tinyJpeg);
    assert.equal(fourth.status, 429);
    const [countError] = (await fourth.json()).errors;
    assert.equal(countError.extensions.code, 'LIMIT_EXCEEDED');
    assert.match(countError.message, /at most 3 snapshots/);

    const byBytes = await session((await invite()).token);
    assert.equal((await byBytes(bigJpeg)).status, 201);
    assert.equal((await byBytes(bigJpeg)).status, 201);
    const third = await byBytes(bigJpeg);
    assert.equal(third.status, 429);
    assert.match((await third.json()).errors[0].message, /KB of snapshots/);
    assert.equal((await byBytes(tinyJpeg)).status, 201, 'a smaller one still fits');

    // Uploads sent at once are counted one by one.
    const racing = await session((await invite()).token);
    const statuses = await Promise.all([1, 2, 3, 4, 5].map(() => racing(tinyJpeg).then((response) => response.status)));
    assert.deepEqual(statuses.sort(), [201, 201, 201, 429, 429]);
  });

  it("closes a WebSocket over its org's cap with 4429, and leaves other orgs alone", async () => {
    const { host: crowded, token } = await liveInterview();
    const { client: quiet } = await signUp(new GraphQLClient(server.url), 'Quiet');
    const ping = '{ __typename }';
    // A candidate's connection counts for its interview's org.
    const connected = [open(crowded.token), open(crowded.token), open(token)];
    await Promise.all(connected.map((socket) => socket.request(ping)));
    const over = open(crowded.token);
    const closed = await over.closed;
    assert.equal(closed.code, 4429);
    assert.match(closed.reason, /already has 3 open connections/);
    assert.deepEqual(await open(quiet.token).request(ping), { __typename: 'Query' }, 'another org is not affected');

    // A place freed is a place taken again.
    await connected[0]!.dispose();
    await until('a connection accepted once one closed', async () => {
      const socket = open(crowded.token);
      return socket.request(ping).then(
        () => true,
        () => false,
      );
    });
  });
});
