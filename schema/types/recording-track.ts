// A candidate's recording as the review page plays it: files on the interview clock.
import type { RecordingTrack } from '../../server/reviews/review-media.ts';
import { Scope } from '../../server/auth/scopes.ts';
import { builder } from '../builder.ts';
import { orgActor } from '../context.ts';
import { CandidateType } from './candidate.ts';

const TrackRoleEnum = builder.enumType('RecordingTrackRole', {
  values: { CANDIDATE: { description: "The candidate's camera" }, HOST: { description: "The host's camera" } } as const,
});

const RecordingTrackType = builder.objectRef<RecordingTrack>('RecordingTrack').implement({
  description: 'One recorded file (a reconnect starts a new one)',
  fields: (t) => ({
    role: t.expose('role', { type: TrackRoleEnum }),
    url: t.exposeString('url', { description: 'Signed link to the WebM file (HTTP Range supported) until urlExpiresAt' }),
    urlExpiresAt: t.expose('urlExpiresAt', { type: 'DateTime' }),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    offsetMs: t.exposeInt('offsetMs', { description: 'Where the file starts: ms after the interview started' }),
  }),
});

builder.objectField(CandidateType, 'recordings', (t) =>
  t.field({
    type: [RecordingTrackType],
    description: 'The recorded files, oldest first (empty when nothing was recorded)',
    resolve: (candidate, _args, ctx) => ctx.services.reviewMedia.tracks(orgActor(ctx, Scope.INTERVIEWS_READ), candidate.interview.id, candidate.id),
  }),
);
