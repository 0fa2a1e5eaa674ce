/// <reference lib="dom" />
// One connection to one incarnation of an interview's media room: a mediasoup-client Device
// loaded with the router's capabilities, a send transport and a receive transport created on
// first use. When the room moves (worker crash) the MediaRoom throws this away and opens another.
import { Device, type types } from 'mediasoup-client';
import type { ConsumerOptionsPayload, MediaSource, TransportDirection, TransportOptionsPayload } from '../../../contract/media-signaling.ts';
import type { Signaling } from './signaling.ts';

export interface ConsumedTrack {
  track: MediaStreamTrack;
  consumer: types.Consumer;
  source: MediaSource;
}

export class MediaSession {
  readonly device: Device;
  readonly #signaling: Signaling;
  readonly #interviewId: string | undefined;
  #send: Promise<types.Transport> | undefined;
  #recv: Promise<types.Transport> | undefined;

  private constructor(signaling: Signaling, interviewId: string | undefined, device: Device) {
    this.#signaling = signaling;
    this.#interviewId = interviewId;
    this.device = device;
  }

  static async open(signaling: Signaling, interviewId?: string): Promise<MediaSession> {
    const routerRtpCapabilities = await signaling.request<types.RtpCapabilities>('routerRtpCapabilities', { interviewId });
    const device = await Device.factory();
    await device.load({ routerRtpCapabilities });
    return new MediaSession(signaling, interviewId, device);
  }

  /** Sends one track; resolves with the server's producer. */
  async produce(track: MediaStreamTrack, source: MediaSource): Promise<types.Producer> {
    const transport = await (this.#send ??= this.#transport('SEND'));
    return transport.produce({
      track,
      appData: { source },
      // A steady ~500 kbps camera is plenty for proctoring and keeps the SFU's load flat.
      ...(track.kind === 'video' ? { encodings: [{ maxBitrate: 600_000 }] } : {}),
      stopTracks: false,
    });
  }

  async closeProducer(producer: types.Producer): Promise<void> {
    producer.close();
    await this.#signaling.request('closeProducer', { producerId: producer.id });
  }

  /** Receives one producer's track (resumed once the local consumer exists). */
  async consume(producerId: string): Promise<ConsumedTrack> {
    const transport = await (this.#recv ??= this.#transport('RECV'));
    const options = await this.#signaling.request<ConsumerOptionsPayload>('consume', { producerId, rtpCapabilities: this.device.rtpCapabilities });
    const consumer = await transport.consume({
      id: options.id,
      producerId: options.producerId,
      kind: options.kind === 'AUDIO' ? 'audio' : 'video',
      rtpParameters: options.rtpParameters as unknown as types.RtpParameters,
    });
    await this.#signaling.request('resumeConsumer', { consumerId: consumer.id });
    return { track: consumer.track, consumer, source: options.source };
  }

  close(): void {
    for (const transport of [this.#send, this.#recv])
      void transport?.then(
        (t) => t.close(),
        () => {},
      );
  }

  async #transport(direction: TransportDirection): Promise<types.Transport> {
    const { iceServers, iceTransportPolicy, ...options } = await this.#signaling.request<TransportOptionsPayload>('createTransport', {
      interviewId: this.#interviewId,
      direction,
    });
    // TURN (with this page's short-lived credential) for networks that block the SFU's ports.
    const transportOptions = {
      ...(options as unknown as types.TransportOptions),
      iceServers,
      ...(iceTransportPolicy ? { iceTransportPolicy: iceTransportPolicy === 'RELAY' ? 'relay' : 'all' } : {}),
    } satisfies types.TransportOptions;
    const transport = direction === 'SEND' ? this.device.createSendTransport(transportOptions) : this.device.createRecvTransport(transportOptions);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.#signaling.request('connectTransport', { transportId: transport.id, dtlsParameters }).then(() => callback(), errback);
    });
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      this.#signaling
        .request<string>('produce', { transportId: transport.id, kind: kind === 'audio' ? 'AUDIO' : 'VIDEO', rtpParameters, source: appData.source })
        .then((id) => callback({ id }), errback);
    });
    return transport;
  }
}
