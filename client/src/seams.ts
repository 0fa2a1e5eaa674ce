// Where the media path plugs in. The SFU work (client/src/media/: mediasoup-client Device and
// transports over our GraphQL signaling) lands separately; until it is wired here the candidate
// page runs every proctoring check locally and publishes nothing, and the host room shows a
// placeholder instead of the candidate's video.

export interface MediaContext {
  /** The candidate's join token or the host's login token: the signaling's credentials. */
  token: string;
  interviewId: string;
}

/** Publishes the candidate's camera + mic; resolves once publishing, with the function that stops it. */
export async function publishCandidateMedia(_stream: MediaStream, _context: MediaContext): Promise<() => void> {
  return () => {};
}

/** Shows the candidate's video (and plays their audio) in the host room; returns the function that stops it. */
export async function showCandidateMedia(_video: HTMLVideoElement, _context: MediaContext): Promise<() => void> {
  return () => {};
}
