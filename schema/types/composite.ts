// A candidate's composite recording (one MP4 of every track), made by a job after the interview ends.
import { Scope } from '../../server/auth/scopes.ts';
import type { CompositeView } from '../../server/media/composites.ts';
import { COMPOSITE_STATUSES } from '../../server/db/entities.ts';
import { builder } from '../builder.ts';
import { orgActor } from '../context.ts';
import { RecordingType } from './recording.ts';

const CompositeStatusEnum = builder.enumType('CompositeStatus', {
  description: 'PENDING until its job starts, RUNNING while ffmpeg writes it (see progress), READY to download, FAILED once its retries are spent (see error)',
  values: COMPOSITE_STATUSES,
});

const CompositeType = builder.objectRef<CompositeView>('CompositeRecording').implement({
  description: "One MP4 (H.264 + AAC) of the candidate's recording: their camera large, the host's small in its corner, the screen beside them, both microphones mixed",
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.expose('status', { type: CompositeStatusEnum }),
    progress: t.exposeFloat('progress', { description: 'How much of the MP4 is written, 0–1' }),
    attempts: t.exposeInt('attempts'),
    error: t.exposeString('error', { nullable: true, description: 'Why the latest run failed' }),
    durationMs: t.exposeInt('durationMs', { nullable: true }),
    bytes: t.exposeFloat('bytes', { nullable: true }),
    readyAt: t.expose('readyAt', { type: 'DateTime', nullable: true }),
    downloadUrl: t.exposeString('downloadUrl', {
      nullable: true,
      description: 'Signed link to the MP4 (byte ranges for seeking), valid until downloadUrlExpiresAt (PROCTOR_REPORT_URL_TTL); null until READY',
    }),
    downloadUrlExpiresAt: t.expose('downloadUrlExpiresAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.objectField(RecordingType, 'composite', (t) =>
  t.field({
    type: CompositeType,
    nullable: true,
    description: 'The composite MP4, once the interview has ended (null before, or when recording was off)',
    resolve: (recording, _args, ctx) => ctx.services.composites.ofCandidate(orgActor(ctx, Scope.INTERVIEWS_READ), recording.interviewId, recording.candidateId),
  }),
);
