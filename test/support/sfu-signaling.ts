// Media signaling as the SFU tests send it over graphql-ws, and plain RTP parameters as a
// non-browser sender (ffmpeg) would describe them: no DTLS is needed to register a producer.
import type { WsClient } from './live.ts';

export const CREATE_TRANSPORT = 'mutation($interviewId: ID, $direction: TransportDirection!) { createTransport(interviewId: $interviewId, direction: $direction) { id } }';
export const PRODUCE =
  'mutation($transportId: ID!, $kind: MediaKind!, $rtpParameters: JSONObject!, $source: MediaSource!) { produce(transportId: $transportId, kind: $kind, rtpParameters: $rtpParameters, source: $source) }';
export const CONSUME = 'mutation($producerId: ID!, $rtpCapabilities: JSONObject!) { consume(producerId: $producerId, rtpCapabilities: $rtpCapabilities) { id } }';
export const ROOM_EVENTS =
  'subscription($interviewId: ID) { mediaRoomEvents(interviewId: $interviewId) { kind reconnect producer { producerId kind source role candidateId } } }';
export const CAPABILITIES = 'query($interviewId: ID) { routerRtpCapabilities(interviewId: $interviewId) }';

/** Plain VP8 and Opus; a transport takes each SSRC once. */
export const vp8Rtp = (ssrc = 22222222) => ({ codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc }] });
export const opusRtp = (ssrc = 11111111) => ({ codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc }] });
export const VP8_RTP = vp8Rtp();
export const OPUS_RTP = opusRtp();

export interface GraphQLErrorBody {
  message: string;
  extensions: { code: string; [key: string]: unknown };
}

/** The first error of a graphql-ws request that must fail. */
export async function refusal(socket: WsClient, query: string, variables: Record<string, unknown>): Promise<GraphQLErrorBody> {
  try {
    await socket.request(query, variables);
  } catch (error) {
    return JSON.parse((error as Error).message)[0];
  }
  throw new Error('expected the request to fail');
}

/** The first error's code of a graphql-ws request that must fail. */
export async function errorCode(socket: WsClient, query: string, variables: Record<string, unknown>): Promise<string> {
  return (await refusal(socket, query, variables)).extensions.code;
}
