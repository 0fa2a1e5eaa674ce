// Media signaling (mediasoup) as GraphQL, on the graphql-ws connection only: the transports a
// client creates belong to its connection and close with it. mediasoup's parameter objects
// travel as JSONObject, exactly as mediasoup-client produces and consumes them.
import {
  ICE_TRANSPORT_POLICIES,
  MEDIA_KINDS,
  MEDIA_ROOM_EVENT_KINDS,
  MEDIA_SOURCES,
  TRANSPORT_DIRECTIONS,
  type ConsumerOptionsPayload,
  type IceServerPayload,
  type MediaProducerInfo,
  type MediaRoomEvent,
  type TransportOptionsPayload,
} from '../../contract/media-signaling.ts';
import { builder } from '../builder.ts';
import { mediaPeer, mediaActor } from '../context.ts';
import { fromListener } from '../subscriptions.ts';

const MediaSourceEnum = builder.enumType('MediaSource', { description: 'CAMERA and SCREEN carry video, MIC audio', values: MEDIA_SOURCES });
const MediaKindEnum = builder.enumType('MediaKind', { values: MEDIA_KINDS });
const TransportDirectionEnum = builder.enumType('TransportDirection', { description: 'SEND to produce, RECV to consume', values: TRANSPORT_DIRECTIONS });
const MediaRoleEnum = builder.enumType('MediaRole', { values: ['CANDIDATE', 'HOST'] as const });
const MediaRoomEventKindEnum = builder.enumType('MediaRoomEventKind', { values: MEDIA_ROOM_EVENT_KINDS });

const IceTransportPolicyEnum = builder.enumType('IceTransportPolicy', {
  description: "RTCIceTransportPolicy: RELAY sends media only through TURN (lower-case it for the browser's 'relay')",
  values: ICE_TRANSPORT_POLICIES,
});

const IceServerType = builder.objectRef<IceServerPayload>('IceServer').implement({
  description: "A TURN server and a short-lived credential for it (coturn's use-auth-secret scheme): an RTCIceServer",
  fields: (t) => ({
    urls: t.exposeStringList('urls', { description: 'turn: / turns: URLs' }),
    username: t.exposeString('username', { description: '<expiry unix seconds>:<connection id>' }),
    credential: t.exposeString('credential', { description: 'base64(HMAC-SHA1(secret, username)); opens allocations until the expiry (PROCTOR_TURN_TTL)' }),
  }),
});

const TransportOptionsType = builder.objectRef<TransportOptionsPayload>('TransportOptions').implement({
  description: "What mediasoup-client's device.createSendTransport / createRecvTransport take",
  fields: (t) => ({
    id: t.exposeID('id'),
    iceParameters: t.expose('iceParameters', { type: 'JSONObject' }),
    iceCandidates: t.expose('iceCandidates', { type: ['JSONObject'] }),
    dtlsParameters: t.expose('dtlsParameters', { type: 'JSONObject' }),
    iceServers: t.expose('iceServers', { type: [IceServerType], description: "TURN servers for this connection's transports (empty without PROCTOR_TURN_URLS)" }),
    iceTransportPolicy: t.expose('iceTransportPolicy', {
      type: IceTransportPolicyEnum,
      nullable: true,
      description: 'Set when the server forces one (PROCTOR_ICE_TRANSPORT_POLICY); null: the browser decides',
    }),
  }),
});

const ConsumerOptionsType = builder.objectRef<ConsumerOptionsPayload>('ConsumerOptions').implement({
  description: "What mediasoup-client's transport.consume takes; the consumer starts paused (call resumeConsumer)",
  fields: (t) => ({
    id: t.exposeID('id'),
    producerId: t.exposeID('producerId'),
    kind: t.expose('kind', { type: MediaKindEnum }),
    rtpParameters: t.expose('rtpParameters', { type: 'JSONObject' }),
    source: t.expose('source', { type: MediaSourceEnum }),
  }),
});

const MediaProducerType = builder.objectRef<MediaProducerInfo>('MediaProducer').implement({
  fields: (t) => ({
    producerId: t.exposeID('producerId'),
    kind: t.expose('kind', { type: MediaKindEnum }),
    source: t.expose('source', { type: MediaSourceEnum }),
    role: t.expose('role', { type: MediaRoleEnum }),
    candidateId: t.exposeID('candidateId', { nullable: true }),
    paused: t.exposeBoolean('paused'),
  }),
});

const MediaRoomEventType = builder.objectRef<MediaRoomEvent>('MediaRoomEvent').implement({
  description: 'ROOM_OPENED: (re)connect now (reconnect: true after the room moved to another worker); PRODUCER_ADDED/CLOSED: streams; ROOM_CLOSED: the interview ended',
  fields: (t) => ({
    kind: t.expose('kind', { type: MediaRoomEventKindEnum }),
    interviewId: t.exposeID('interviewId'),
    reconnect: t.exposeBoolean('reconnect'),
    producer: t.expose('producer', { type: MediaProducerType, nullable: true }),
  }),
});

const INTERVIEW_ID = 'The interview; a join link may leave it out (its own interview), hosts must give it';

builder.queryField('routerRtpCapabilities', (t) =>
  t.field({
    type: 'JSONObject',
    description: "The interview's router capabilities, for mediasoup-client's device.load (LIVE interviews, graphql-ws only)",
    args: { interviewId: t.arg.id({ description: INTERVIEW_ID }) },
    resolve: (_root, { interviewId }, ctx) => ctx.services.media.routerRtpCapabilities(mediaActor(ctx), mediaPeer(ctx), interviewId),
  }),
);

builder.mutationField('createTransport', (t) =>
  t.field({
    type: TransportOptionsType,
    args: { interviewId: t.arg.id({ description: INTERVIEW_ID }), direction: t.arg({ type: TransportDirectionEnum, required: true }) },
    resolve: (_root, { interviewId, direction }, ctx) => ctx.services.media.createTransport(mediaActor(ctx), mediaPeer(ctx), interviewId, direction),
  }),
);

builder.mutationField('connectTransport', (t) =>
  t.boolean({
    args: { transportId: t.arg.id({ required: true }), dtlsParameters: t.arg({ type: 'JSONObject', required: true }) },
    resolve: async (_root, { transportId, dtlsParameters }, ctx) => {
      await ctx.services.media.connectTransport(mediaActor(ctx), mediaPeer(ctx), transportId, dtlsParameters);
      return true;
    },
  }),
);

builder.mutationField('produce', (t) =>
  t.id({
    description:
      "Starts sending a track; returns the producer id. Every track is recorded in its own file; a join link's CAMERA/MIC are watched (MEDIA_LOST), its SCREEN too (SCREEN_SHARE_STOPPED when the interview requires it), and measured (StreamQuality)",
    args: {
      transportId: t.arg.id({ required: true }),
      kind: t.arg({ type: MediaKindEnum, required: true }),
      rtpParameters: t.arg({ type: 'JSONObject', required: true }),
      source: t.arg({ type: MediaSourceEnum, required: true }),
    },
    resolve: (_root, { transportId, kind, rtpParameters, source }, ctx) => ctx.services.media.produce(mediaActor(ctx), mediaPeer(ctx), transportId, kind, rtpParameters, source),
  }),
);

builder.mutationField('consume', (t) =>
  t.field({
    type: ConsumerOptionsType,
    description: 'Needs a RECV transport in the same room; the consumer starts paused',
    args: { producerId: t.arg.id({ required: true }), rtpCapabilities: t.arg({ type: 'JSONObject', required: true }) },
    resolve: (_root, { producerId, rtpCapabilities }, ctx) => ctx.services.media.consume(mediaActor(ctx), mediaPeer(ctx), producerId, rtpCapabilities),
  }),
);

builder.mutationField('resumeConsumer', (t) =>
  t.boolean({
    args: { consumerId: t.arg.id({ required: true }) },
    resolve: async (_root, { consumerId }, ctx) => {
      await ctx.services.media.resumeConsumer(mediaActor(ctx), mediaPeer(ctx), consumerId);
      return true;
    },
  }),
);

builder.mutationField('closeProducer', (t) =>
  t.boolean({
    args: { producerId: t.arg.id({ required: true }) },
    resolve: async (_root, { producerId }, ctx) => {
      await ctx.services.media.closeProducer(mediaActor(ctx), mediaPeer(ctx), producerId);
      return true;
    },
  }),
);

builder.subscriptionField('mediaRoomEvents', (t) =>
  t.field({
    type: MediaRoomEventType,
    description: "The interview's media room: what is there now, then changes (for its candidates and its org's hosts)",
    args: { interviewId: t.arg.id({ description: INTERVIEW_ID }) },
    subscribe: async (_root, { interviewId }, ctx) => {
      const actor = mediaActor(ctx);
      const listen = (push: (event: MediaRoomEvent) => void) => ctx.services.media.listen(actor, interviewId, push);
      // Listening starts before the iterator is handed back, so nothing between is missed.
      const buffered: MediaRoomEvent[] = [];
      let forward: ((event: MediaRoomEvent) => void) | undefined;
      const stop = await listen((event) => (forward ? forward(event) : buffered.push(event)));
      return fromListener<MediaRoomEvent>((push) => {
        for (const event of buffered.splice(0)) push(event);
        forward = push;
        return stop;
      });
    },
    resolve: (event: MediaRoomEvent) => event,
  }),
);
