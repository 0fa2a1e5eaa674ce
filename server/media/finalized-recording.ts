// Jobs that read a candidate's recorded files (the composite, the speech analysis) start as the
// interview ends, while each recorder is still draining what reached ffmpeg and writing its file's
// last cluster, duration and cues: read earlier, a track misses its last seconds. They wait until
// every track is finalized, or until a settling time after the interview's end (a recorder that
// died with its process never finalizes its row; its file is read as it is). A track whose file
// holds no media is set apart (see hasMedia): the jobs go on with the others and say so.
import { setTimeout as delay } from 'node:timers/promises';
import type { CandidateRecording, RecordedTrack, RecordingStore } from './recording-store.ts';
import { hasMedia } from './track-media.ts';

/** How long after the interview's end a recorder may still be finalizing its file. */
const SETTLE_MS = 30_000;
const SETTLE_POLL_MS = 500;

export interface FinalizedRecording extends CandidateRecording {
  /** The tracks with media, to read. */
  tracks: RecordedTrack[];
  /** The tracks whose file held no media (or was missing): left out of `tracks`. */
  empty: RecordedTrack[];
}

export async function finalizedRecording(
  store: RecordingStore,
  ffmpegPath: string,
  interviewId: string,
  candidateId: string,
  interviewEndedAt: Date | null,
): Promise<FinalizedRecording | undefined> {
  const deadline = (interviewEndedAt?.getTime() ?? Date.now()) + SETTLE_MS;
  for (;;) {
    const recording = await store.ofCandidateTimeline(interviewId, candidateId);
    if (!recording) return undefined;
    if (recording.tracks.every((track) => track.endMs !== null) || Date.now() >= deadline) return withMedia(recording, ffmpegPath);
    await delay(SETTLE_POLL_MS);
  }
}

/** One track at a time: a candidate who reconnected often has dozens, each an ffmpeg run. */
async function withMedia(recording: CandidateRecording, ffmpegPath: string): Promise<FinalizedRecording> {
  const tracks: RecordedTrack[] = [];
  const empty: RecordedTrack[] = [];
  for (const track of recording.tracks) ((await hasMedia(ffmpegPath, track.path)) ? tracks : empty).push(track);
  return { ...recording, tracks, empty };
}
