// A candidate's interview transcript: machine-generated, approximate, searchable.
import { SPEAKERS, TRANSCRIPTION_STATUSES } from '../../server/db/entities.ts';
import { Scope } from '../../server/auth/scopes.ts';
import type { TranscriptRow } from '../../server/speech/speech-store.ts';
import type { TranscriptView } from '../../server/speech/speech.ts';
import { builder } from '../builder.ts';
import { orgActor } from '../context.ts';

const SpeakerEnum = builder.enumType('Speaker', { values: SPEAKERS });

export const TranscriptStatusEnum = builder.enumType('TranscriptStatus', {
  description:
    'NONE until the report job has found who spoke when; then PENDING and RUNNING while the transcription job works (the report comes first and says so), DONE, FAILED (see note), or OFF when transcription is off',
  values: ['NONE', ...TRANSCRIPTION_STATUSES] as const,
});

const TranscriptSegmentType = builder.objectRef<TranscriptRow>('TranscriptSegment').implement({
  description: 'What one participant said in one turn, on the interview clock (ms since it started)',
  fields: (t) => ({
    speaker: t.field({ type: SpeakerEnum, resolve: (s) => s.speaker }),
    startMs: t.exposeInt('startMs'),
    endMs: t.exposeInt('endMs'),
    text: t.exposeString('text'),
    confidence: t.exposeFloat('confidence', { description: "The engine's confidence, 0–1" }),
  }),
});

const TranscriptType = builder.objectRef<TranscriptView>('Transcript').implement({
  description: 'Approximate, machine-generated: for search and navigation, not for quotation',
  fields: (t) => ({
    status: t.field({ type: TranscriptStatusEnum, resolve: (v) => v.status }),
    engine: t.exposeString('engine', { nullable: true, description: 'pocketsphinx, openai or assemblyai; null when transcription is off' }),
    approximate: t.exposeBoolean('approximate'),
    note: t.exposeString('note', { nullable: true, description: 'Why the analysis or the transcription failed, or that there was no recorded audio' }),
    progress: t.exposeFloat('progress', { description: 'Share of the tracks transcribed, 0–1 (1 once DONE)' }),
    segments: t.field({ type: [TranscriptSegmentType], resolve: (v) => v.segments }),
  }),
});

builder.queryField('transcript', (t) =>
  t.field({
    type: TranscriptType,
    description: "A candidate's interview transcript (both participants); `query` keeps the segments containing it (any case)",
    args: { interviewId: t.arg.id({ required: true }), candidateId: t.arg.id(), query: t.arg.string() },
    resolve: (_root, { interviewId, candidateId, query }, ctx) => ctx.services.speech.transcript(orgActor(ctx, Scope.INTERVIEWS_READ), interviewId, candidateId, query),
  }),
);
