/// <reference lib="dom" />
// The browser side of Proctor's media: mediasoup-client driven by our GraphQL signaling.
export { MediaRoom, type MediaRoomOptions } from './media-room.ts';
export { RemoteView } from './remote-view.ts';
export { MediaSession, type ConsumedTrack } from './media-session.ts';
export { Signaling, SignalingError } from './signaling.ts';
export type { MediaProducerInfo, MediaRoomEvent, MediaSource } from '../../../contract/media-signaling.ts';
