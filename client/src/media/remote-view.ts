/// <reference lib="dom" />
// One party's streams in a room (the candidate's, for the host; the host's, for the candidate)
// played in one <video> element: its camera shown, its mic heard. Consumes what the room
// announces, drops what closes, and replaces a track when the room reopens with a new producer.
import type { MediaProducerInfo, MediaRole } from '../../../contract/media-signaling.ts';
import type { MediaRoom, MediaRoomOptions } from './media-room.ts';

export class RemoteView {
  readonly #element: HTMLVideoElement;
  readonly #role: MediaRole;
  readonly #tracks = new Map<string, MediaStreamTrack>();
  readonly #onChange: (showing: boolean) => void;

  /** Shows the streams of `role` in `element`; `onChange` says whether there is video to see. */
  constructor(element: HTMLVideoElement, role: MediaRole, onChange: (showing: boolean) => void = () => {}) {
    this.#element = element;
    this.#role = role;
    this.#onChange = onChange;
  }

  /** The room options that feed this view (merge them into MediaRoom.join's). */
  options(room: () => MediaRoom): Pick<MediaRoomOptions, 'onProducerAdded' | 'onProducerClosed' | 'onClosed'> {
    return {
      onProducerAdded: (producer) => void this.#add(room(), producer).catch((error: Error) => console.warn('media: a stream cannot be shown:', error.message)),
      onProducerClosed: (producer) => this.#remove(producer.producerId),
      onClosed: () => {
        for (const id of [...this.#tracks.keys()]) this.#remove(id);
      },
    };
  }

  async #add(room: MediaRoom, producer: MediaProducerInfo): Promise<void> {
    if (producer.role !== this.#role || producer.source === 'SCREEN') return;
    const { track } = await room.consume(producer.producerId);
    // A reopened room announces new producers while the old tracks linger (ended): one per kind.
    for (const [id, old] of this.#tracks) if (old.kind === track.kind) this.#tracks.delete(id);
    this.#tracks.set(producer.producerId, track);
    this.#render();
  }

  #remove(producerId: string): void {
    if (this.#tracks.delete(producerId)) this.#render();
  }

  #render(): void {
    const tracks = [...this.#tracks.values()];
    this.#element.srcObject = tracks.length ? new MediaStream(tracks) : null;
    this.#onChange(tracks.some((track) => track.kind === 'video'));
    if (!tracks.length) return;
    // Autoplay with sound needs a user gesture in some browsers: play muted, unmute on a click.
    this.#element.play().catch(() => {
      this.#element.muted = true;
      void this.#element.play().catch(() => {});
      addEventListener('click', () => (this.#element.muted = false), { once: true });
    });
  }
}
