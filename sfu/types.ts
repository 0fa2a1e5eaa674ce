// What the SFU hands out and takes in: plain data and narrow handles, never mediasoup objects, so
// the rest of the server depends on this file and not on mediasoup. Parameter objects
// (rtpParameters, rtpCapabilities, dtlsParameters…) are WebRTC's JSON shapes, as browsers send them.
import type { types } from 'mediasoup';

export type MediaKind = 'audio' | 'video';
export type Direction = 'send' | 'recv';
/** A parameter object as it arrives from a client; mediasoup checks its shape. */
export type JsonObject = Record<string, unknown>;
export type RtpParameters = types.RtpParameters;
export type RtpCapabilities = types.RtpCapabilities;

/** What a client needs to build its side of a WebRTC transport. */
export interface TransportOptions {
  id: string;
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
}

/** A consumer as its client needs it, and the tags of the producer it receives. */
export interface ConsumerOptions<Tags> {
  id: string;
  producerId: string;
  kind: MediaKind;
  rtpParameters: RtpParameters;
  tags: Tags;
}

/** A producer as it is now; `tags` are what its creator said of it (who sends it, which source). */
export interface ProducerInfo<Tags> {
  id: string;
  kind: MediaKind;
  paused: boolean;
  /** RTP clock rate of its codec: jitter in the stats is in RTP timestamp units of this clock. */
  clockRate: number;
  tags: Tags;
}

/** One incoming RTP stream of a producer, as the SFU measured it. */
export interface ProducerStats {
  packetCount: number;
  byteCount: number;
  /** Bits per second, lately. */
  bitrate: number;
  /** Sequence gaps seen since the stream began. */
  packetsLost: number;
  /** RTCP's fraction lost over the last report interval, in 1/256ths. */
  fractionLost: number;
  jitter: number;
  roundTripTime: number | undefined;
  /** 0–10. */
  score: number;
}

export interface TransportStats {
  transportId: string;
  /** What the transport may receive, in bits per second (undefined: no cap). */
  maxIncomingBitrate: number | undefined;
  bytesReceived: number;
  bytesSent: number;
  /** The address pair ICE settled on (undefined until a browser connects): which path media takes. */
  selectedTuple: { protocol: 'udp' | 'tcp'; localPort: number; remoteIp: string | undefined } | undefined;
}

/** A UDP destination for plain RTP (a recorder); RTCP goes to `rtcpPort`. */
export interface PlainDestination {
  ip: string;
  port: number;
  rtcpPort: number;
}

/** The consumer that sends one producer as plain RTP. */
export interface PlainConsumer {
  readonly kind: MediaKind;
  readonly rtpParameters: RtpParameters;
  readonly closed: boolean;
  resume(): Promise<void>;
  requestKeyFrame(): Promise<void>;
  /** RTP packets sent so far. */
  packetsSent(): Promise<number>;
}

export interface PlainOutput {
  consumer: PlainConsumer;
  close(): void;
}

/** A producer fed plain RTP (RTCP muxed) by a local sender, learnt from its first packet. */
export interface PlainInput {
  producerId: string;
  /** Where the sender sends. */
  port: number;
  stats(): Promise<ProducerStats[]>;
  close(): void;
}

/** A running worker process. */
/** A worker slot's WebRtcServer sockets, or why the slot has no running worker. */
export interface WorkerListening {
  index: number;
  running: boolean;
  listen: { protocol: 'udp' | 'tcp'; ip: string; port: number }[];
  problem?: string;
}

export interface WorkerInfo {
  index: number;
  pid: number;
}
