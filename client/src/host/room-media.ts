// The host room's media, on the room's own graphql-ws socket: the candidate's camera (large) and
// mic from the interview's media room, and the host's own camera + mic published into it
// once the room is open — a room opened before the interview starts waits for it. The room
// reconnects and re-publishes by itself (worker restart, socket back).
import type { LiveConnection } from '../api.ts';
import { toast } from '../dom.ts';
import { MediaRoom, RemoteView } from '../media/index.ts';

export interface RoomMediaViews {
  /** The candidate's video (and sound). */
  candidate: HTMLVideoElement;
  /** The host's own camera, muted. */
  self: HTMLVideoElement;
  /** Says whether the candidate's video is showing. */
  onCandidateVideo: (showing: boolean) => void;
}

export function joinRoomMedia(live: LiveConnection, interviewId: string, views: RoomMediaViews): () => void {
  const candidate = new RemoteView(views.candidate, 'CANDIDATE', views.onCandidateVideo);
  let camera: Promise<MediaStream | undefined> | undefined;
  const stopCamera = () => {
    void camera?.then((stream) => stream?.getTracks().forEach((track) => track.stop()));
    views.self.hidden = true;
  };
  const feed = candidate.options(() => room);
  const room: MediaRoom = MediaRoom.join(live.client, {
    interviewId,
    ...feed,
    // The camera turns on when the interview is live, not while the host waits for it…
    onReady: () => void (camera ??= publishCamera(room, views.self)),
    // …and off when it ends.
    onClosed: () => {
      feed.onClosed?.();
      stopCamera();
    },
    onError: (error) => toast(`Media: ${error.message}`, 'warning'),
  });
  return () => {
    room.close();
    stopCamera();
  };
}

async function publishCamera(room: MediaRoom, self: HTMLVideoElement): Promise<MediaStream | undefined> {
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
  } catch (error) {
    toast(`Your camera and microphone are off (${(error as DOMException).name}): the candidate cannot see or hear you. Allow them and reload.`, 'warning', 15_000);
    return undefined;
  }
  self.muted = true;
  self.srcObject = stream;
  self.hidden = false;
  void self.play().catch(() => {});
  await room.publish(stream);
  document.body.dataset.publishing = 'yes';
  return stream;
}
