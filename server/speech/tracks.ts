// Where the speech job finds each participant's audio: a list of tracks, each a file in any
// container ffmpeg reads, placed on the interview clock by its offset. One adapter fills it from
// the recordings table.
import type { MikroORM } from '@mikro-orm/postgresql';
import { Interview, type Speaker } from '../db/entities.ts';
import { finalizedRecording } from '../media/finalized-recording.ts';
import { RecordingStore } from '../media/recording-store.ts';

export interface SpeechTrack {
  speaker: Speaker;
  /** A media file with an audio stream (WebM from the SFU, WAV, …). */
  path: string;
  /** Where the file's t = 0 falls on the interview clock, in ms after the interview started. */
  offsetMs: number;
}

export interface TrackList {
  tracks: SpeechTrack[];
  /** Microphone tracks left out: their file held no audio (a recorder that received nothing). */
  empty: number;
}

export type TrackSource = (interviewId: string, candidateId: string) => Promise<TrackList>;

/**
 * The candidate's and the hosts' microphone tracks of the candidate's recording (RecordingStore's
 * timeline) once finalized (see finalizedRecording), placed after the interview's start.
 */
export function recordedTracks(orm: MikroORM, ffmpegPath: string): TrackSource {
  return async (interviewId, candidateId) => {
    const interview = await orm.em.fork().findOne(Interview, { id: interviewId }, { fields: ['startedAt', 'endedAt'] });
    const recording = await finalizedRecording(new RecordingStore(orm), ffmpegPath, interviewId, candidateId, interview?.endedAt ?? null);
    if (!recording) return { tracks: [], empty: 0 };
    const clockOffsetMs = recording.startedAt.getTime() - (interview?.startedAt ?? recording.startedAt).getTime();
    return {
      tracks: recording.tracks
        .filter((track) => track.kind === 'MICROPHONE')
        .map((track) => ({ speaker: track.participant, path: track.path, offsetMs: Math.max(0, clockOffsetMs + track.startMs) })),
      empty: recording.empty.filter((track) => track.kind === 'MICROPHONE').length,
    };
  };
}
