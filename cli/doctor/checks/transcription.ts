// A speech-to-text engine for transcripts: Proctor has none yet, so there is nothing to judge.
import { withDiagnostics, type Check } from '../check.ts';

export const transcription: Check = {
  id: 'transcription',
  title: 'Transcription engine',
  run(context) {
    return withDiagnostics(context, ({ transcription: engine }) =>
      engine.configured ? { status: 'ok', detail: 'configured' } : { status: 'info', detail: 'not configured (Proctor has no transcription engine yet)' },
    );
  },
};
