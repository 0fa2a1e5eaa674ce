// The candidate's media during the session: the checked camera + mic (and the shared screen, when
// the interview asks for it) are published into the interview's room on the page's own graphql-ws
// socket as soon as the room is open (a SCHEDULED interview opens it when the host starts it), and
// again whenever it reopens (worker restart, reconnect). The host's camera and mic play in a small
// view. Stopping the screen share in the browser closes its producer: the server sees that.
import type { LiveConnection } from '../api.ts';
import { toast } from '../dom.ts';
import { MediaRoom, RemoteView } from '../media/index.ts';

export interface SessionMedia {
  /** Resolves when camera and mic (and screen) are first published (the room may open much later). */
  publishing: Promise<void>;
  close(): void;
}

export function publishSessionMedia(live: LiveConnection, stream: MediaStream, hostView: HTMLVideoElement, screen?: MediaStream): SessionMedia {
  const view = new RemoteView(hostView, 'HOST', (showing) => (hostView.hidden = !showing));
  const room: MediaRoom = MediaRoom.join(
    live.client,
    view.options(() => room),
  );
  for (const track of screen?.getVideoTracks() ?? []) {
    track.addEventListener('ended', () => {
      document.body.dataset.screenShare = 'stopped';
      void room.unpublish(track);
      toast('You stopped sharing your screen. The interviewer is told; reload the page to share it again.', 'warning', 15_000);
    });
  }
  return {
    publishing: Promise.all([room.publish(stream), ...(screen ? [room.publish(screen, 'SCREEN')] : [])]).then(() => {}),
    close: () => room.close(),
  };
}
