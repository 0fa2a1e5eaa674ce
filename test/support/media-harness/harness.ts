/// <reference lib="dom" />
// A test page around client/src/media: the tests and the bench drive it through
// `window.harness` (page.evaluate) as a candidate (publishes camera + mic) or a host (consumes).
import { createClient, type Client } from 'graphql-ws';
import type { types } from 'mediasoup-client';
import { MediaRoom, Signaling, type ConsumedTrack } from '../../../client/src/media/index.ts';

let client: Client | undefined;
let room: MediaRoom | undefined;
let stream: MediaStream | undefined;
let published: types.Producer[] = [];
const consumed: ConsumedTrack[] = [];
const log: string[] = [];

function connect(serverUrl: string, token: string): Client {
  client = createClient({ url: `${serverUrl.replace(/^http/, 'ws')}/graphql`, connectionParams: { authorization: `Bearer ${token}` }, lazy: false });
  return client;
}

const harness = {
  log,
  /** Joins the candidate's own room and publishes camera + mic; resolves with the producer ids. */
  async publish(serverUrl: string, token: string): Promise<string[]> {
    room = MediaRoom.join(connect(serverUrl, token), {
      onReady: (reconnect) => log.push(`ready reconnect=${reconnect}`),
      onError: (error) => log.push(`error ${error.message}`),
    });
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360, frameRate: 15 }, audio: true });
    published = await room.publish(stream);
    return published.map((producer) => producer.id);
  },
  /**
   * The ICE candidate pair the camera's transport uses, from the browser's own stats: the local
   * candidate's type (host, srflx, relay) and protocol, and the remote one's protocol and port.
   */
  async selectedCandidatePair(): Promise<{ localType: string; localProtocol: string; remoteProtocol: string; remotePort: number } | undefined> {
    const video = published.find((producer) => producer.kind === 'video');
    if (!video) return undefined;
    const stats = [...(await video.getStats()).values()] as Record<string, unknown>[];
    const byId = new Map(stats.map((stat) => [stat.id, stat]));
    const transport = stats.find((stat) => stat.type === 'transport' && stat.selectedCandidatePairId);
    const pair = byId.get(transport?.selectedCandidatePairId);
    const local = byId.get(pair?.localCandidateId);
    const remote = byId.get(pair?.remoteCandidateId);
    if (!local || !remote) return undefined;
    return { localType: String(local.candidateType), localProtocol: String(local.protocol), remoteProtocol: String(remote.protocol), remotePort: Number(remote.port) };
  },
  /**
   * For the bench: joins, waits for the room, then times publishing from the first
   * createTransport (startedAt, epoch ms) — plus one signaling round trip as the baseline.
   */
  async publishTimed(serverUrl: string, token: string): Promise<{ startedAt: number; signalingRttMs: number }> {
    const socket = connect(serverUrl, token);
    const opened = new Promise<void>((resolve) => {
      room = MediaRoom.join(socket, { onReady: () => resolve(), onError: (error) => log.push(`error ${error.message}`) });
    });
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360, frameRate: 15 }, audio: true });
    await opened;
    const rttStarted = performance.now();
    await new Signaling(socket).request('routerRtpCapabilities', {});
    const signalingRttMs = performance.now() - rttStarted;
    const startedAt = Date.now();
    published = await room!.publish(stream);
    return { startedAt, signalingRttMs };
  },
  stopCamera(): void {
    for (const track of stream?.getVideoTracks() ?? []) track.stop();
  },
  /** Joins as a host and consumes every candidate stream, now and as they come. */
  async watch(serverUrl: string, token: string, interviewId: string): Promise<void> {
    const joined: MediaRoom = MediaRoom.join(connect(serverUrl, token), {
      interviewId,
      onProducerAdded: (producer) => {
        if (producer.role !== 'CANDIDATE') return;
        joined
          .consume(producer.producerId)
          .then((track) => {
            consumed.push(track);
            if (track.consumer.kind === 'video') (document.getElementById('remote') as HTMLVideoElement).srcObject = new MediaStream([track.track]);
          })
          .catch((error: Error) => log.push(`consume error ${error.message}`));
      },
      onError: (error) => log.push(`error ${error.message}`),
    });
    room = joined;
  },
  /** Frames the host has decoded across its video consumers. */
  async framesDecoded(): Promise<number> {
    let frames = 0;
    for (const { consumer } of consumed) {
      if (consumer.kind !== 'video' || consumer.closed) continue;
      (await consumer.getStats()).forEach((stat: { type: string; framesDecoded?: number }) => {
        if (stat.type === 'inbound-rtp') frames += stat.framesDecoded ?? 0;
      });
    }
    return frames;
  },
  consumedKinds(): string[] {
    return consumed.filter(({ consumer }) => !consumer.closed).map(({ consumer }) => consumer.kind);
  },
  async close(): Promise<void> {
    room?.close();
    await client?.dispose();
  },
};

(window as unknown as { harness: typeof harness }).harness = harness;
