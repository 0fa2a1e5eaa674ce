// A banner for a new HIGH or CRITICAL alert, gone after a few seconds.
import React from 'react';
import { Text } from 'ink';
import type { CandidateView, ToastView } from './dashboard-state.ts';

const h = React.createElement;

export function Toast({ toast, candidates }: { toast: ToastView | null; candidates: readonly CandidateView[] }) {
  if (!toast) return h(Text, null, ' ');
  const { alert } = toast;
  const name = candidates.find((candidate) => candidate.id === alert.candidateId)?.name ?? 'candidate';
  return h(
    Text,
    { backgroundColor: alert.severity === 'CRITICAL' ? 'red' : 'yellow', color: 'black', bold: true, wrap: 'truncate' },
    ` ⚠ ${alert.severity}: ${name} — ${alert.message} `,
  );
}
