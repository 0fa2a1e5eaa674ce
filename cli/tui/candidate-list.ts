// One line per candidate: connection, media, stream quality as sparklines, report state. The
// selected one (↑/↓) is who `p` pings and `r` opens the report of.
import React from 'react';
import { Box, Text } from 'ink';
import type { CandidateView } from './dashboard-state.ts';
import { sparkline } from './format.ts';

const h = React.createElement;

const PRESENCE = { online: { color: 'green', label: '● online ' }, silent: { color: 'yellow', label: '◌ silent ' }, offline: { color: 'gray', label: '○ offline' } } as const;
const MEDIA = { flowing: { color: 'green', label: 'cam/mic ▲' }, lost: { color: 'red', label: 'cam/mic ✖' }, none: { color: 'gray', label: 'cam/mic –' } } as const;
/** The sparklines show up only when the terminal has room for them. */
const WIDE_ENOUGH = 90;

export interface CandidateListProps {
  candidates: readonly CandidateView[];
  selected: number;
  width: number;
  maxRows: number;
}

export function CandidateList({ candidates, selected, width, maxRows }: CandidateListProps) {
  if (candidates.length === 0) return h(Text, { dimColor: true }, 'No candidate has joined yet');
  const first = Math.max(0, Math.min(selected - maxRows + 1, candidates.length - maxRows));
  const spark = width >= WIDE_ENOUGH ? 12 : 6;
  return h(
    Box,
    { flexDirection: 'column' },
    ...candidates.slice(first, first + maxRows).map((candidate, offset) => {
      const index = first + offset;
      const quality = candidate.bitrateKbps.length
        ? `${String(Math.round(candidate.bitrateKbps.at(-1)!)).padStart(5)} kb/s ${sparkline(candidate.bitrateKbps, spark)} loss ${candidate.packetLossPct.at(-1)!.toFixed(1).padStart(4)}% ${sparkline(candidate.packetLossPct, spark, 5)}`
        : 'no stream stats yet';
      return h(
        Box,
        { key: candidate.id },
        h(Text, { color: 'cyan' }, index === selected ? '› ' : '  '),
        h(Box, { width: 16, flexShrink: 0 }, h(Text, { wrap: 'truncate', bold: index === selected }, candidate.name)),
        h(Text, { color: PRESENCE[candidate.presence].color }, ` ${PRESENCE[candidate.presence].label}`),
        h(Text, { color: MEDIA[candidate.media].color }, ` ${MEDIA[candidate.media].label} `),
        h(Box, { flexGrow: 1, flexShrink: 1, overflow: 'hidden' }, h(Text, { wrap: 'truncate', dimColor: !candidate.bitrateKbps.length }, quality)),
        candidate.reportId ? h(Text, { color: 'magenta' }, ' report ready') : null,
      );
    }),
  );
}
