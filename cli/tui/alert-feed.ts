// The alerts, newest first, coloured by severity; a violation that grows updates its line in
// place. Above them, the totals per type.
import React from 'react';
import { Box, Text } from 'ink';
import { countsByType, type AlertView, type CandidateView } from './dashboard-state.ts';
import { SEVERITY_COLOR, timeOfDay } from './format.ts';

const h = React.createElement;

export interface AlertFeedProps {
  alerts: readonly AlertView[];
  /** The alerts the filter lets through (all of them without a filter). */
  shown: readonly AlertView[];
  filter: string;
  candidates: readonly CandidateView[];
  rows: number;
}

export function AlertFeed({ alerts, shown, filter, candidates, rows }: AlertFeedProps) {
  const names = new Map(candidates.map((candidate) => [candidate.id, candidate.name]));
  const totals = countsByType(alerts)
    .map(([type, count]) => `${type} ${count}`)
    .join(' · ');
  const title = filter ? `ALERTS ${shown.length}/${alerts.length} matching "${filter}"` : `ALERTS ${alerts.length}`;
  return h(
    Box,
    { flexDirection: 'column', flexGrow: 1 },
    h(
      Box,
      { height: 1 },
      h(Box, { flexShrink: 0 }, h(Text, { bold: true }, title)),
      h(Box, { flexShrink: 1, overflow: 'hidden' }, h(Text, { dimColor: true, wrap: 'truncate' }, totals ? `  ${totals}` : '')),
    ),
    shown.length === 0 ? h(Text, { dimColor: true }, filter ? 'No alert of that type' : 'No alerts so far') : null,
    ...shown
      .slice(0, Math.max(0, rows))
      .map((alert) =>
        h(
          Box,
          { key: alert.violationId },
          h(Text, { dimColor: true }, `${timeOfDay(alert.occurredAt)} `),
          h(Box, { width: 9, flexShrink: 0 }, h(Text, { color: SEVERITY_COLOR[alert.severity], bold: alert.severity === 'CRITICAL' }, alert.severity)),
          h(Box, { width: 14, flexShrink: 0 }, h(Text, { wrap: 'truncate' }, names.get(alert.candidateId) ?? alert.candidateId.slice(0, 8))),
          h(Box, { flexGrow: 1, flexShrink: 1, overflow: 'hidden' }, h(Text, { color: SEVERITY_COLOR[alert.severity], wrap: 'truncate' }, ` ${alert.message}`)),
        ),
      ),
  );
}
