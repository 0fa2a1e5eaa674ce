// The media signaling contract, shared by the server, the GraphQL schema and the browser
// (client/src/media): plain types and the GraphQL documents, nothing that imports server code.
// mediasoup's own parameter objects (rtpCapabilities, dtlsParameters, rtpParameters…) travel as
// JSON objects.

export const MEDIA_SOURCES = ['CAMERA', 'MIC', 'SCREEN'] as const;
export type MediaSource = (typeof MEDIA_SOURCES)[number];

export const TRANSPORT_DIRECTIONS = ['SEND', 'RECV'] as const;
export type TransportDirection = (typeof TRANSPORT_DIRECTIONS)[number];

export const MEDIA_KINDS = ['AUDIO', 'VIDEO'] as const;
export type MediaKindName = (typeof MEDIA_KINDS)[number];

export type MediaRole = 'CANDIDATE' | 'HOST';

/**
 * What happens in an interview's media room:
 * - ROOM_OPENED: (re)connect now — the interview went LIVE, or the room moved to another worker
 *   after a crash (`reconnect: true`; every transport of the old room is gone).
 * - PRODUCER_ADDED / PRODUCER_CLOSED: a stream to consume, or one that ended.
 * - ROOM_CLOSED: the interview ended.
 */
export const MEDIA_ROOM_EVENT_KINDS = ['ROOM_OPENED', 'ROOM_CLOSED', 'PRODUCER_ADDED', 'PRODUCER_CLOSED'] as const;
export type MediaRoomEventKind = (typeof MEDIA_ROOM_EVENT_KINDS)[number];

export interface MediaProducerInfo {
  producerId: string;
  kind: MediaKindName;
  source: MediaSource;
  role: MediaRole;
  /** The candidate's id for a candidate's stream, null for a host's. */
  candidateId: string | null;
  paused: boolean;
}

export interface MediaRoomEvent {
  kind: MediaRoomEventKind;
  interviewId: string;
  reconnect: boolean;
  producer: MediaProducerInfo | null;
}

/** A TURN server and a short-lived credential for it (RTCIceServer). */
export interface IceServerPayload {
  urls: string[];
  username: string;
  credential: string;
}

/** RTCIceTransportPolicy in GraphQL's spelling; RELAY: the browser sends media only through TURN. */
export const ICE_TRANSPORT_POLICIES = ['ALL', 'RELAY'] as const;
export type IceTransportPolicyName = (typeof ICE_TRANSPORT_POLICIES)[number];

/** createTransport's answer: what mediasoup-client's Device.createSendTransport/createRecvTransport take. */
export interface TransportOptionsPayload {
  id: string;
  iceParameters: Record<string, unknown>;
  iceCandidates: Record<string, unknown>[];
  dtlsParameters: Record<string, unknown>;
  /** TURN servers with credentials for this page (empty without TURN). */
  iceServers: IceServerPayload[];
  /** Set only when the server is configured to force it; the browser decides otherwise. */
  iceTransportPolicy: IceTransportPolicyName | null;
}

export interface ConsumerOptionsPayload {
  id: string;
  producerId: string;
  kind: MediaKindName;
  rtpParameters: Record<string, unknown>;
  source: MediaSource;
}

const PRODUCER_FIELDS = 'producerId kind source role candidateId paused';

/** The operations, as the browser module sends them (the server's schema defines them). */
export const MEDIA_OPERATIONS = {
  routerRtpCapabilities: 'query RouterRtpCapabilities($interviewId: ID) { routerRtpCapabilities(interviewId: $interviewId) }',
  createTransport:
    'mutation CreateTransport($interviewId: ID, $direction: TransportDirection!) { createTransport(interviewId: $interviewId, direction: $direction) { id iceParameters iceCandidates dtlsParameters iceServers { urls username credential } iceTransportPolicy } }',
  connectTransport: 'mutation ConnectTransport($transportId: ID!, $dtlsParameters: JSONObject!) { connectTransport(transportId: $transportId, dtlsParameters: $dtlsParameters) }',
  produce:
    'mutation Produce($transportId: ID!, $kind: MediaKind!, $rtpParameters: JSONObject!, $source: MediaSource!) { produce(transportId: $transportId, kind: $kind, rtpParameters: $rtpParameters, source: $source) }',
  consume:
    'mutation Consume($producerId: ID!, $rtpCapabilities: JSONObject!) { consume(producerId: $producerId, rtpCapabilities: $rtpCapabilities) { id producerId kind rtpParameters source } }',
  resumeConsumer: 'mutation ResumeConsumer($consumerId: ID!) { resumeConsumer(consumerId: $consumerId) }',
  closeProducer: 'mutation CloseProducer($producerId: ID!) { closeProducer(producerId: $producerId) }',
  mediaRoomEvents: `subscription MediaRoomEvents($interviewId: ID) { mediaRoomEvents(interviewId: $interviewId) { kind interviewId reconnect producer { ${PRODUCER_FIELDS} } } }`,
} as const;
