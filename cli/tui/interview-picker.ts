// `proctor watch` without an ID: choose one of the live and scheduled interviews.
import React, { useState } from 'react';
import { Box, Text, useApp, useInput } from 'ink';
import type { InterviewStatus } from '../../contract/interview.ts';

const h = React.createElement;

export interface PickableInterview {
  id: string;
  title: string;
  status: InterviewStatus;
  scheduledAt: string | null;
}

export function InterviewPicker({ interviews, onPick }: { interviews: readonly PickableInterview[]; onPick: (interview: PickableInterview) => void }) {
  const { exit } = useApp();
  const [selected, setSelected] = useState(0);
  useInput((input, key) => {
    if (key.upArrow) setSelected((index) => Math.max(0, index - 1));
    else if (key.downArrow) setSelected((index) => Math.min(interviews.length - 1, index + 1));
    else if (key.return && interviews[selected]) {
      onPick(interviews[selected]);
      exit();
    } else if (input === 'q' || key.escape) exit();
  });
  return h(
    Box,
    { flexDirection: 'column' },
    h(Text, { bold: true }, 'Which interview? (↑↓ choose, enter watch, q quit)'),
    ...interviews.map((interview, index) =>
      h(
        Box,
        { key: interview.id },
        h(Text, { color: 'cyan' }, index === selected ? '› ' : '  '),
        h(Box, { width: 10, flexShrink: 0 }, h(Text, { color: interview.status === 'LIVE' ? 'green' : 'cyan' }, interview.status)),
        h(Box, { width: 22, flexShrink: 0 }, h(Text, { dimColor: true }, interview.scheduledAt ? interview.scheduledAt.replace(/\.\d+Z$/, 'Z') : '-')),
        h(Text, { bold: index === selected, wrap: 'truncate' }, interview.title),
      ),
    ),
  );
}
