// Where the speech job finds each participant's audio: a list of tracks, each a file in any
// container ffmpeg reads, placed on the interview clock by its offset. One adapter fills it from
// the recordings table.
import type { MikroORM } from '@mikro-orm/postgresql';
import { Interview, type Speaker } from '../db/entities.ts';
import { RecordingStore } from '../media/recording-store.ts';

export interface SpeechTrack {
  speaker: Speaker;
  /** A media file with an audio stream (WebM from the SFU, WAV, …). */
  path: string;
  /** Where the file's t = 0 falls on the interview clock, in ms after the interview started. */
  offsetMs: number;
}

export type TrackSource = (interviewId: string, candidateId: string) => Promise<SpeechTrack[]>;

/**
 * Today's recordings: the candidate's camera+mic files (the audio stream is read out of each).
 * The seam for the host's microphone: once the recordings table tells whose track a file is
 * (host, candidate, screen), list the host's files here as speaker HOST; nothing else changes.
 */
export function recordedTracks(orm: MikroORM): TrackSource {
  return async (interviewId, candidateId) => {
    const interview = await orm.em.fork().findOne(Interview, { id: interviewId }, { fields: ['startedAt'] });
    const files = await new RecordingStore(orm).ofCandidate(interviewId, candidateId);
    const startedAt = interview?.startedAt ?? files[0]?.startedAt;
    if (!startedAt) return [];
    return files.map((file) => ({ speaker: 'CANDIDATE' as const, path: file.path, offsetMs: Math.max(0, file.startedAt.getTime() - startedAt.getTime()) }));
  };
}
