// Jobs that read a candidate's recorded files (the composite, the speech analysis) start as the
// interview ends, while each recorder is still draining what reached ffmpeg and writing its file's
// last cluster, duration and cues: read earlier, a track misses its last seconds. They wait until
// every track is finalized, or until a settling time after the interview's end (a recorder that
// died with its process never finalizes its row; its file is read as it is).
import { setTimeout as delay } from 'node:timers/promises';
import type { CandidateRecording, RecordingStore } from './recording-store.ts';

/** How long after the interview's end a recorder may still be finalizing its file. */
const SETTLE_MS = 30_000;
const SETTLE_POLL_MS = 500;

export async function finalizedRecording(
  store: RecordingStore,
  interviewId: string,
  candidateId: string,
  interviewEndedAt: Date | null,
): Promise<CandidateRecording | undefined> {
  const deadline = (interviewEndedAt?.getTime() ?? Date.now()) + SETTLE_MS;
  for (;;) {
    const recording = await store.ofCandidateTimeline(interviewId, candidateId);
    if (!recording || recording.tracks.every((track) => track.endMs !== null) || Date.now() >= deadline) return recording;
    await delay(SETTLE_POLL_MS);
  }
}
