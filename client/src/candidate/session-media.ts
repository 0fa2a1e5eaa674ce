// The candidate's media during the session: the checked camera + mic are published into the
// interview's room on the page's own graphql-ws socket as soon as the room is open (a SCHEDULED
// interview opens it when the host starts it), and again whenever it reopens (worker restart,
// reconnect). The host's camera and mic play in a small view.
import type { LiveConnection } from '../api.ts';
import { MediaRoom, RemoteView } from '../media/index.ts';

export interface SessionMedia {
  /** Resolves when camera and mic are first published (the room may open much later). */
  publishing: Promise<void>;
  close(): void;
}

export function publishSessionMedia(live: LiveConnection, stream: MediaStream, hostView: HTMLVideoElement): SessionMedia {
  const view = new RemoteView(hostView, 'HOST', (showing) => (hostView.hidden = !showing));
  const room: MediaRoom = MediaRoom.join(
    live.client,
    view.options(() => room),
  );
  return {
    publishing: room.publish(stream).then(() => {}),
    close: () => room.close(),
  };
}
