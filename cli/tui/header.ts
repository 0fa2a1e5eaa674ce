// The top line: which interview, its state and age, whether it is being recorded, and whether
// the dashboard is connected.
import React from 'react';
import { Box, Text } from 'ink';
import type { ConnectionState } from '../live/interview-feed.ts';
import type { InterviewView } from './dashboard-state.ts';
import { clock } from './format.ts';

const h = React.createElement;

const STATUS_COLOR = { SCHEDULED: 'cyan', LIVE: 'green', COMPLETED: 'blue', ARCHIVED: 'gray' } as const;
const CONNECTION = {
  connecting: { color: 'yellow', label: '◌ connecting' },
  live: { color: 'green', label: '● connected' },
  reconnecting: { color: 'yellow', label: '◌ reconnecting…' },
  closed: { color: 'red', label: '✖ disconnected' },
} as const;

export interface HeaderProps {
  interview: InterviewView;
  connection: ConnectionState;
  recording: boolean;
  now: number;
}

export function Header({ interview, connection, recording, now }: HeaderProps) {
  const elapsed = interview.startedAt ? clock((interview.endedAt ? Date.parse(interview.endedAt) : now) - Date.parse(interview.startedAt)) : '--:--:--';
  return h(
    Box,
    { width: '100%' },
    h(Box, { flexGrow: 1, flexShrink: 1, overflow: 'hidden' }, h(Text, { bold: true, wrap: 'truncate' }, interview.title)),
    h(Text, { color: STATUS_COLOR[interview.status], bold: true }, ` ${interview.status}`),
    h(Text, null, ` ${elapsed}`),
    recording ? h(Text, { color: 'red' }, ' ● REC') : h(Text, { dimColor: true }, ' ○ rec'),
    h(Text, { color: CONNECTION[connection].color }, ` ${CONNECTION[connection].label}`),
  );
}
