// A candidate's recording: one timeline of tracks (the candidate's and the hosts' camera, mic and
// screen), each placed on the interview's recording clock.
import { RECORDING_PARTICIPANTS, TRACK_KINDS } from '../../contract/recording.ts';
import { Scope } from '../../server/auth/scopes.ts';
import type { PlayableRecording, PlayableTrack } from '../../server/media/recording-service.ts';
import { builder } from '../builder.ts';
import { orgActor } from '../context.ts';

const RecordingParticipantEnum = builder.enumType('RecordingParticipant', { values: RECORDING_PARTICIPANTS });
const TrackKindEnum = builder.enumType('RecordingTrackKind', { description: 'CAMERA and SCREEN: video; MICROPHONE: audio', values: TRACK_KINDS });

const RecordingTrackType = builder.objectRef<PlayableTrack>('RecordingTrack').implement({
  description: 'One recorded stream in its own file; a reconnect starts another track of the same kind',
  fields: (t) => ({
    participant: t.expose('participant', { type: RecordingParticipantEnum }),
    kind: t.expose('kind', { type: TrackKindEnum }),
    startMs: t.exposeInt('startMs', { description: "Where the track's first media sits, in ms from the recording's startedAt" }),
    endMs: t.int({ nullable: true, description: 'Where it ends; null while it is still being recorded', resolve: (track) => track.endMs }),
    bytes: t.float({ nullable: true, description: "The file's size once finalized", resolve: (track) => track.bytes }),
    url: t.exposeString('url', { description: 'Signed link to the file for a player (byte ranges for seeking), valid until urlExpiresAt (PROCTOR_ROOM_SESSION_TTL)' }),
    urlExpiresAt: t.expose('urlExpiresAt', { type: 'DateTime' }),
  }),
});

export const RecordingType = builder.objectRef<PlayableRecording>('Recording').implement({
  description: "A candidate's recording: their tracks and the hosts', on the interview's one clock",
  fields: (t) => ({
    startedAt: t.expose('startedAt', { type: 'DateTime', description: "t = 0 of the interview's recording clock" }),
    tracks: t.expose('tracks', { type: [RecordingTrackType], description: 'Ordered by startMs' }),
  }),
});

builder.queryField('recording', (t) =>
  t.field({
    type: RecordingType,
    description: "A candidate's recording (NOT_FOUND until something of theirs is recorded)",
    args: { interviewId: t.arg.id({ required: true }), candidateId: t.arg.id({ required: true }) },
    resolve: (_root, { interviewId, candidateId }, ctx) => ctx.services.recordings.ofCandidate(orgActor(ctx, Scope.INTERVIEWS_READ), interviewId, candidateId),
  }),
);
