// An interview's recording as the API, the review page and the report see it: one timeline per
// candidate, made of tracks (one file each) placed on the interview's recording clock.

/** Who a track is of. */
export const RecordingParticipant = { HOST: 'HOST', CANDIDATE: 'CANDIDATE' } as const;
export type RecordingParticipant = (typeof RecordingParticipant)[keyof typeof RecordingParticipant];
export const RECORDING_PARTICIPANTS = Object.values(RecordingParticipant);

/** What a track holds: camera video, microphone audio, or screen video. */
export const TrackKind = { CAMERA: 'CAMERA', MICROPHONE: 'MICROPHONE', SCREEN: 'SCREEN' } as const;
export type TrackKind = (typeof TrackKind)[keyof typeof TrackKind];
export const TRACK_KINDS = Object.values(TrackKind);
